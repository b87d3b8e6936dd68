"""The stat cache of the input files' digests (``write.known``): a file whose device,
inode, size and modification time are those remembered is not read again, and nothing
about the cache can make a changed input look unchanged."""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from pathlib import Path

import pytest

from aigonix_render.write import Known, TreeInputs
from aigonix_render.write import known as known_module

FILE = "aigonix.yaml"
HOUR_NS = 3600 * 10**9


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path / "home")}


def _tree(tmp_path: Path, text: bytes, age_ns: int = HOUR_NS) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / FILE).write_bytes(text)
    old = time.time_ns() - age_ns
    os.utime(root / FILE, ns=(old, old))
    return root


def _digest(root: Path, environ: dict[str, str]) -> bytes:
    """One run: the file's digest, the cache saved afterwards."""
    inputs = TreeInputs(root, (), "settings", Known.for_tree(str(root), environ))
    found = inputs.source(FILE)
    inputs.save()
    return found


def _cache_file(root: Path, environ: dict[str, str]) -> Path:
    name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()
    return Path(environ["XDG_CACHE_HOME"], "aigonix-render", "digests", name)


def _edit_keeping_stat(path: Path, text: bytes) -> None:
    """New bytes of the same size at the same inode, the modification time set back."""
    before = path.stat()
    with open(path, "r+b") as handle:
        handle.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def test_an_unchanged_file_is_not_read_again(
    tmp_path: Path, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: info\n").digest()
    assert _cache_file(root, environ).is_file()

    def unread(path: str) -> None:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(known_module, "file_identity_digest", unread)
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: info\n").digest()


def test_a_same_size_edit_in_the_same_tick_is_noticed(tmp_path: Path, environ: dict[str, str]) -> None:
    """Git's racy timestamps: a file modified within ``RACY_NS`` of the run that hashed it is
    not remembered, so an edit that keeps size, inode and (coarse) modification time is read."""
    root = _tree(tmp_path, b"LOG_LEVEL: info\n", age_ns=0)
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: info\n").digest()
    _edit_keeping_stat(root / FILE, b"LOG_LEVEL: evil\n")
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: evil\n").digest()


def test_a_touched_identical_file_keeps_its_digest_and_an_edited_one_does_not(
    tmp_path: Path, environ: dict[str, str]
) -> None:
    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    first = TreeInputs(root, (), "settings", Known.for_tree(str(root), environ))
    section = first.section([FILE])
    first.save()
    os.utime(root / FILE)  # touched: a new modification time, the same bytes
    assert TreeInputs(root, (), "settings", Known.for_tree(str(root), environ)).section([FILE]) == section
    (root / FILE).write_bytes(b"LOG_LEVEL: warn\n")
    assert TreeInputs(root, (), "settings", Known.for_tree(str(root), environ)).section([FILE]) != section


def _forged_cache(root: Path, environ: dict[str, str]) -> Path:
    """A well-formed cache that claims the file (as it is now) holds other bytes."""
    _digest(root, environ)  # creates the folder
    status = (root / FILE).stat()
    entry = (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        hashlib.sha256(b"lie").digest(),
    )
    payload = marshal.dumps({FILE: entry})
    cache = _cache_file(root, environ)
    cache.write_bytes(b"aigonix-render digests 1\n" + hashlib.sha256(payload).digest() + payload)
    return cache


def test_a_well_formed_cache_of_this_user_is_trusted(tmp_path: Path, environ: dict[str, str]) -> None:
    """The forgery below is taken when nothing is wrong with it: the other tests' refusals
    are what refuses it."""
    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    _forged_cache(root, environ).chmod(0o600)
    assert _digest(root, environ) == hashlib.sha256(b"lie").digest()


@pytest.mark.parametrize(
    "damage",
    ["flipped byte", "truncated", "not marshal", "not a dict", "group-writable", "foreign owner", "symlink"],
)
def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path, environ: dict[str, str], damage: str) -> None:
    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    cache = _forged_cache(root, environ)
    cache.chmod(0o600)
    content = cache.read_bytes()
    head = len(b"aigonix-render digests 1\n")
    if damage == "flipped byte":
        cache.write_bytes(content[:-1] + bytes([content[-1] ^ 1]))
    elif damage == "truncated":
        cache.write_bytes(content[: head + 10])
    elif damage in ("not marshal", "not a dict"):
        payload = b"\xff garbage" if damage == "not marshal" else marshal.dumps([1, 2])
        cache.write_bytes(content[:head] + hashlib.sha256(payload).digest() + payload)
    elif damage == "group-writable":
        cache.chmod(0o620)
    elif damage == "foreign owner":
        if os.geteuid() != 0:
            pytest.skip("only root can give a file away")
        os.chown(cache, os.geteuid() + 1000, -1)
    else:
        planted = tmp_path / "planted"
        planted.write_bytes(content)
        cache.unlink()
        cache.symlink_to(planted)
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: info\n").digest()


def test_a_cache_folder_others_can_write_in_is_not_used(tmp_path: Path, environ: dict[str, str]) -> None:
    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    cache = _forged_cache(root, environ)
    cache.chmod(0o600)
    cache.parent.chmod(0o777)
    assert Known.for_tree(str(root), environ) is None
    assert _digest(root, environ) == hashlib.sha256(b"LOG_LEVEL: info\n").digest()


def test_no_cache_when_turned_off(tmp_path: Path, environ: dict[str, str]) -> None:
    """``AIGONIX_RENDER_NO_CACHE`` turns every cache off: digests, compiled templates and
    validate's verdicts; not even the cache folder is made."""
    from aigonix_render.commands.verdict_cache import verdict_folder
    from aigonix_render.render.template_cache import template_cache

    root = _tree(tmp_path, b"LOG_LEVEL: info\n")
    off = {**environ, "AIGONIX_RENDER_NO_CACHE": "1"}
    assert Known.for_tree(str(root), off) is None
    assert template_cache("salt", off) is None
    assert verdict_folder(off) is None
    assert not Path(environ["XDG_CACHE_HOME"]).exists()
    assert template_cache("salt", environ) is not None  # the same place, turned on
