"""Compiled templates are cached in Jinja2's private temp folder, and only trusted intact."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jinja2
import pytest

from aigonix_render.render import template_cache
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


def test_any_changed_byte_of_an_entry_is_caught_and_compiled_again(cache: Path) -> None:
    render()
    (entry,) = cache.iterdir()
    intact = entry.read_bytes()
    for offset in range(0, len(intact), max(1, len(intact) // 97)):
        damaged = bytearray(intact)
        damaged[offset] ^= 0x04
        entry.write_bytes(bytes(damaged))
        assert render() == EXPECTED, offset
        assert entry.read_bytes() == intact  # and written whole again


def test_the_checksum_names_the_versions_and_the_options(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def checksum(options: str) -> str:
        return template_cache.TemplateCache(options).get_source_checksum("kind: {{ o.kind }}")

    first = checksum("trim_blocks=True")
    assert checksum("trim_blocks=False") != first
    monkeypatch.setattr(template_cache, "__version__", "0.0.0-other")
    assert checksum("trim_blocks=True") != first
    monkeypatch.undo()
    monkeypatch.setattr(jinja2, "__version__", "0.0.0-other")
    assert checksum("trim_blocks=True") != first
