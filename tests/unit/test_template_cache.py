"""Compiled templates are cached in this user's private cache folder, and only trusted intact.

The cache holds code that is run, so a folder another user could write in (simulated here by a
folder of mode 0777, a symlinked folder or entry, another owner) is not used, and nothing
changes the mode of what it finds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2
import pytest

from aigonix_render.foundation import cache_place
from aigonix_render.render import template_cache
from aigonix_render.render.meta import Meta
from aigonix_render.render.templates import Templates

NAMESPACE = Meta("Namespace", "application-1", None, {"tenant": "Shop"})
EXPECTED = "apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    tenant: Shop\n  name: application-1\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where compiled templates are kept when ``XDG_CACHE_HOME`` is ``tmp_path/xdg``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "aigonix-render" / "templates"


def render() -> str:
    return Templates().render("namespace.yaml.j2", o=NAMESPACE)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_compiled_templates_are_kept_in_the_user_cache_folder_and_used(cache: Path) -> None:
    assert render() == EXPECTED
    (entry,) = cache.iterdir()
    assert mode(cache) == 0o700 and mode(cache.parent) == 0o700 and mode(entry) == 0o600
    written = entry.stat().st_mtime_ns
    assert render() == EXPECTED
    assert entry.stat().st_mtime_ns == written  # read, not compiled and written again


def test_the_cache_folder_of_each_platform() -> None:
    def folder(environ: dict[str, str], platform: str) -> Path | None:
        return cache_place("templates", environ, platform)

    tail = Path("aigonix-render", "templates")
    assert folder({"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "linux") == Path("/x") / tail
    assert folder({"XDG_CACHE_HOME": "rel", "HOME": "/h"}, "linux") == Path("/h/.cache") / tail
    assert folder({"HOME": "/h"}, "darwin") == Path("/h/Library/Caches") / tail
    assert folder({"LOCALAPPDATA": "C:\\Users\\u\\AppData\\Local"}, "win32") is not None
    assert folder({}, "linux") is None and folder({"HOME": "rel"}, "linux") is None


@pytest.mark.parametrize("level", ["templates", "aigonix-render"])
def test_a_group_or_world_writable_folder_is_not_used_nor_changed(cache: Path, level: str) -> None:
    cache.mkdir(parents=True)
    planted = cache if level == "templates" else cache.parent
    planted.chmod(0o777)
    assert Templates().environment.bytecode_cache is None
    assert render() == EXPECTED
    assert mode(planted) == 0o777 and list(cache.iterdir()) == []


def test_a_folder_of_another_owner_is_not_used(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.mkdir(parents=True)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(cache).st_uid + 1)
    assert Templates().environment.bytecode_cache is None
    assert render() == EXPECTED and list(cache.iterdir()) == []


def test_a_symlinked_folder_is_not_used_nor_its_target_changed(cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    target.chmod(0o755)
    cache.parent.mkdir(parents=True)
    cache.symlink_to(target)
    assert Templates().environment.bytecode_cache is None
    assert render() == EXPECTED
    assert mode(target) == 0o755 and list(target.iterdir()) == [] and cache.is_symlink()


def test_a_symlinked_entry_is_not_followed(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render()
    (entry,) = cache.iterdir()
    planted = tmp_path / "planted.cache"
    planted.write_bytes(entry.read_bytes())  # an intact entry: only not following it refuses it
    planted.chmod(0o644)
    before = planted.stat().st_mtime_ns
    entry.unlink()
    entry.symlink_to(planted)
    bucket_loads: list[bytes] = []
    monkeypatch.setattr(jinja2.bccache.Bucket, "bytecode_from_string", lambda _, s: bucket_loads.append(s))
    assert render() == EXPECTED
    assert bucket_loads == []  # the planted entry was never read
    assert not entry.is_symlink() and mode(entry) == 0o600  # replaced by a real entry
    assert mode(planted) == 0o644 and planted.stat().st_mtime_ns == before


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_an_entry_others_can_write_is_not_run(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An intact entry that another user could have written is compiled again, not run."""
    render()
    (entry,) = cache.iterdir()
    entry.chmod(0o620)
    bucket_loads: list[bytes] = []
    monkeypatch.setattr(jinja2.bccache.Bucket, "bytecode_from_string", lambda _, s: bucket_loads.append(s))
    assert render() == EXPECTED
    assert bucket_loads == []
    assert mode(entry) == 0o600  # replaced by an entry of this user's


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
        return template_cache.TemplateCache(cache, options).get_source_checksum("kind: {{ o.kind }}")

    first = checksum("trim_blocks=True")
    assert checksum("trim_blocks=False") != first
    monkeypatch.setattr(template_cache, "__version__", "0.0.0-other")
    assert checksum("trim_blocks=True") != first
    monkeypatch.undo()
    monkeypatch.setattr(jinja2, "__version__", "0.0.0-other")
    assert checksum("trim_blocks=True") != first
