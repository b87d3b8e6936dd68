"""``validate`` keeps each application's verdict in the user's cache folder, and renders and
checks again only the applications whose inputs changed; what it tells stays what it tells
without the cache (``AIGONIX_RENDER_NO_CACHE``), which is what ``render`` tells
(``test_validate_refuses_what_render_refuses``)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import run_line
from test_output_check import CASES as CHECK_CASES
from test_output_check import build

from aigonix_render.foundation import write_entry

REFUSED = [case for case in CHECK_CASES if case.expected]
SHOP = "applications/shop/"
HEAD = b"aigonix-render validate verdict 1\n"
"""What a verdict entry starts with (its format), before the digest of its payload."""


def validate(tree: Path, cache: Path, **extra: str) -> tuple[int, str]:
    result = run_line("validate", tree, env={"XDG_CACHE_HOME": str(cache), **extra})
    return result.exit_code, result.stdout


def entries(cache: Path) -> list[Path]:
    folder = cache / "aigonix-render" / "validate"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def apply(root: Path, edits: dict[str, Any]) -> None:
    for relative, edit in edits.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = edit if isinstance(edit, str) else edit(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_a_change_is_found_with_the_cache_warm(case: object, tmp_path: Path) -> None:
    """The tree is validated (cache filled) with every edit but those in application shop,
    then shop's are made: shop is checked again, the other applications' verdicts are kept,
    and what crosses applications (delivery objects, databases, names) is still found."""
    edits: dict[str, Any] = case.edits  # type: ignore[attr-defined]
    tree = build(tmp_path, {k: v for k, v in edits.items() if not k.startswith(SHOP)})
    cache = tmp_path / "cache"
    validate(tree, cache)
    assert entries(cache), "validate kept no verdict"
    apply(tree, {k: v for k, v in edits.items() if k.startswith(SHOP)})
    warm = validate(tree, cache)
    cold = validate(tree, cache, AIGONIX_RENDER_NO_CACHE="1")
    assert warm == cold
    assert warm[0] == 1
    assert [line for line in warm[1].splitlines() if ": error: " in line] == case.expected  # type: ignore[attr-defined]


def test_the_change_of_one_file_is_found_and_the_rest_kept(tmp_path: Path) -> None:
    tree = build(tmp_path, {})
    cache = tmp_path / "cache"
    assert validate(tree, cache)[0] == 0
    kept = {path.name for path in entries(cache)}
    web = tree / "applications/shop/microservices/web/aigonix.yaml"
    web.write_text(web.read_text(encoding="utf-8").replace("path: /\n", "path: /a//b\n"), encoding="utf-8")
    code, out = validate(tree, cache)
    assert code == 1
    assert "must not contain '//'" in out
    assert kept < {path.name for path in entries(cache)}, "the changed application's verdict is kept anew"


def _refused_tree(tmp_path: Path) -> tuple[Path, str]:
    case = next(c for c in REFUSED if c.name == "an IP address as a host")
    tree = build(tmp_path, case.edits)
    return tree, validate(tree, tmp_path / "nocache", AIGONIX_RENDER_NO_CACHE="1")[1]


def _forge(entry: Path) -> None:
    """An entry that says its application has no problem, with a digest that matches."""
    payload = json.dumps(
        {"told": [], "collisions": [], "identities": [], "paths": [], "databases": []}
    ).encode()
    write_entry(entry, HEAD, payload)


def test_a_damaged_entry_is_no_entry(tmp_path: Path) -> None:
    tree, expected = _refused_tree(tmp_path)
    cache = tmp_path / "cache"
    assert validate(tree, cache) == (1, expected)
    for entry in entries(cache):  # each says "no problem", its digest that of what it said before
        content = entry.read_bytes()
        start = len(HEAD) + hashlib.sha256().digest_size
        entry.write_bytes(content[:start] + json.dumps({**json.loads(content[start:]), "told": []}).encode())
    assert validate(tree, cache) == (1, expected)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_folder_others_can_write_in_is_neither_read_nor_written(tmp_path: Path) -> None:
    tree, expected = _refused_tree(tmp_path)
    cache = tmp_path / "cache"
    assert validate(tree, cache) == (1, expected)
    forged = entries(cache)
    for entry in forged:
        _forge(entry)
    folder = cache / "aigonix-render" / "validate"
    folder.chmod(0o777)
    assert validate(tree, cache) == (1, expected)
    folder.chmod(0o700)
    assert validate(tree, cache)[1] != expected, "the forged entries are read from a private folder"


@pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks")
def test_a_symlinked_cache_folder_is_not_used(tmp_path: Path) -> None:
    tree, expected = _refused_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "cache" / "aigonix-render").mkdir(parents=True, mode=0o700)
    (tmp_path / "cache" / "aigonix-render" / "validate").symlink_to(elsewhere)
    assert validate(tree, tmp_path / "cache") == (1, expected)
    assert list(elsewhere.iterdir()) == []
