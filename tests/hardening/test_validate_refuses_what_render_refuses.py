"""``validate`` (the pre-commit hook, most CI jobs) refuses every tree ``render`` refuses
for its content, with the same problem lines: every invalid case, and every tree the check
over everything rendered refuses (``test_output_check.CASES``: names that meet, shared
databases, IP hosts, quantities, ...). Both run as the user runs them, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CASES, build_case, run_line
from test_output_check import CASES as CHECK_CASES
from test_output_check import build

REFUSED_BY_THE_CHECK = [case for case in CHECK_CASES if case.expected]


def refusals(tree: Path, out: Path) -> tuple[str, str]:
    """The problem lines of ``validate`` and of ``render``, each after asserting exit 1."""
    validated = run_line("validate", tree)
    rendered = run_line("render", tree, "--out", out)
    assert validated.exit_code == 1, validated
    assert rendered.exit_code == 1, rendered
    lines = rendered.stderr.splitlines(keepends=True)
    assert lines[-1].startswith("aigonix-render: the tree does not validate"), rendered
    assert not out.exists() or not any(out.iterdir()), "render wrote a refused tree"
    return validated.stdout, "".join(lines[:-1])


def test_the_check_refuses_enough_trees() -> None:
    assert len(REFUSED_BY_THE_CHECK) >= 15


@pytest.mark.parametrize("case", REFUSED_BY_THE_CHECK, ids=[c.name for c in REFUSED_BY_THE_CHECK])
def test_validate_refuses_what_the_rendered_check_refuses(case: object, tmp_path: Path) -> None:
    tree = build(tmp_path, case.edits)  # type: ignore[attr-defined]
    validated, rendered = refusals(tree, tmp_path / "out")
    assert validated == rendered
    expected = case.expected  # type: ignore[attr-defined]
    assert [line for line in validated.splitlines() if ": error: " in line] == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_and_render_refuse_an_invalid_case_alike(case: Path, tmp_path: Path) -> None:
    tree = build_case(case, tmp_path / "tree")
    validated, rendered = refusals(tree, tmp_path / "out")
    assert validated == rendered == (case / "expected.txt").read_text()
