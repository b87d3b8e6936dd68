"""The one way a cache entry is kept and read (``foundation.write_entry``, ``read_entry``):
compiled templates, validate's verdicts and the input digests all go through it, so each is
refused the same way when damaged, foreign, writable by others or reached through a symlink."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aigonix_render.foundation import read_entry, write_entry

HEAD = b"a test cache 1\n"


@pytest.fixture
def entry(tmp_path: Path) -> Path:
    path = tmp_path / "entry"
    write_entry(path, HEAD, b"payload \x00\xff")
    return path


def test_an_entry_is_read_as_written(entry: Path) -> None:
    assert read_entry(entry, HEAD) == b"payload \x00\xff"
    if os.name != "nt":
        assert entry.stat().st_mode & 0o777 == 0o600


def test_any_changed_byte_makes_no_entry(entry: Path) -> None:
    intact = entry.read_bytes()
    for offset in range(len(intact)):
        damaged = bytearray(intact)
        damaged[offset] ^= 0x01
        entry.write_bytes(bytes(damaged))
        assert read_entry(entry, HEAD) is None, offset


def test_a_truncated_entry_or_another_format_is_no_entry(entry: Path, tmp_path: Path) -> None:
    assert read_entry(entry, b"another cache 1\n") is None
    assert read_entry(tmp_path / "absent", HEAD) is None
    entry.write_bytes(entry.read_bytes()[: len(HEAD) + 8])
    assert read_entry(entry, HEAD) is None


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes and symlinks")
@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_an_entry_others_can_write_is_no_entry(entry: Path, mode: int) -> None:
    entry.chmod(mode)
    assert read_entry(entry, HEAD) is None


@pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks")
def test_a_symlinked_entry_is_not_followed(entry: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(entry)
    assert read_entry(link, HEAD) is None


@pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0, reason="only root can give a file away")
def test_an_entry_of_another_user_is_no_entry(entry: Path) -> None:
    os.chown(entry, 12345, 12345)
    assert read_entry(entry, HEAD) is None
