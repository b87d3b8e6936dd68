"""Compiled templates are cached by Jinja2 in a private temp folder, and only when it is safe."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from aigonix_render.render.meta import Meta
from aigonix_render.render.templates import Templates

NAMESPACE = Meta("Namespace", "application-1", None, {"tenant": "Shop"})
EXPECTED = "apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    tenant: Shop\n  name: application-1\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where Jinja2 keeps compiled templates when the temp folder is ``tmp_path``."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / f"_jinja2-cache-{os.getuid()}"


def render() -> str:
    return Templates().render("namespace.yaml.j2", o=NAMESPACE)


def test_compiled_templates_are_kept_in_a_private_folder_and_used(cache: Path) -> None:
    assert render() == EXPECTED
    (entry,) = cache.iterdir()
    assert cache.stat().st_mode & 0o777 == 0o700
    written = entry.stat().st_mtime_ns
    assert render() == EXPECTED
    assert entry.stat().st_mtime_ns == written  # read, not compiled and written again


def test_a_cache_folder_that_is_not_safely_ours_is_not_used(cache: Path) -> None:
    cache.write_text("not a folder")
    assert Templates().environment.bytecode_cache is None
    assert render() == EXPECTED


def test_a_damaged_cache_entry_is_compiled_again(cache: Path) -> None:
    render()
    (entry,) = cache.iterdir()
    entry.write_bytes(entry.read_bytes()[:40])
    assert render() == EXPECTED
