"""The adoption case (``tests/cases/adoption/``) copied for a test to change, and the one
edit such tests make: a text replaced once, which must be there."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TESTS

ADOPTION = TESTS / "cases" / "adoption"


def adoption_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ADOPTION, tree)
    return tree


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
