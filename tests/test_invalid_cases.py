"""Invalid trees: each case is the base tree with files laid over it (``overlay/``) and
paths removed (``remove.txt``); ``expected.txt`` holds the exact lines ``validate`` prints.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BASE, TESTS, run_line

CASES = sorted(p for p in (TESTS / "cases" / "invalid").iterdir() if p.is_dir())


def build_case(case: Path, target: Path) -> Path:
    shutil.copytree(BASE, target, symlinks=True)
    overlay = case / "overlay"
    if overlay.is_dir():
        shutil.copytree(overlay, target, dirs_exist_ok=True, symlinks=True)
    removals = case / "remove.txt"
    for line in removals.read_text().splitlines() if removals.is_file() else []:
        victim = target / line.strip()
        if victim.is_dir():
            shutil.rmtree(victim)
        elif line.strip():
            victim.unlink()
    return target


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
