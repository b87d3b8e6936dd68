"""Invalid trees: each case is the base tree with files laid over it (``overlay/``) and
paths removed (``remove.txt``); ``expected.txt`` holds the exact lines ``validate`` prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, CASES, build_case, run_line


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30


def test_the_base_tree_is_valid() -> None:
    result = run_line("validate", "--strict", BASE)
    assert result.exit_code == 0, result
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case(case: Path, tmp_path: Path) -> None:
    tree = build_case(case, tmp_path / "tree")
    result = run_line("validate", tree)
    assert result.exit_code == 1, result
    assert result.stdout == (case / "expected.txt").read_text(), result
