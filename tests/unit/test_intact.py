"""Which files of OUT are as written (``write.intact``): trusted by ctime, else hashed, and
looked at and hashed on two cores when many: the same answer either way."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import run_line

from aigonix_render import __version__
from aigonix_render.commands.incremental import kept_folders
from aigonix_render.commands.valid import valid_model
from aigonix_render.foundation import forked
from aigonix_render.write import TreeInputs, looked_ahead, read_marker
from aigonix_render.write.intact import confirmed, intact_files


def _files(tmp_path: Path, count: int) -> list[tuple[str, str]]:
    found = []
    for index in range(count):
        path = tmp_path / f"file-{index}.yaml"
        path.write_text(f"kind: ConfigMap # {index}\n")
        found.append((str(path), hashlib.sha256(path.read_bytes()).hexdigest()))
    return found


def test_files_newer_than_the_marker_are_hashed_and_changed_ones_found(tmp_path: Path) -> None:
    files = _files(tmp_path, 5)
    Path(files[1][0]).write_text("kind: ConfigMap # forged\n")
    Path(files[3][0]).unlink()
    os.symlink(files[0][0], files[3][0])
    ctimes = intact_files(files, written=0)  # every file newer than such a marker: all hashed
    assert [c is not None for c in ctimes] == [True, False, True, False, True]
    assert ctimes[0] == os.lstat(files[0][0]).st_ctime_ns


def test_files_older_than_the_marker_are_trusted_unread(tmp_path: Path) -> None:
    files = _files(tmp_path, 3)
    Path(files[1][0]).write_bytes(b"forged, and trusted: its ctime is older than the marker's\n")
    newer = max(os.lstat(f).st_ctime_ns for f, _ in files) + 1
    assert None not in intact_files(files, written=newer)


def test_a_file_is_never_read_through_a_symlink_nor_waited_for(tmp_path: Path) -> None:
    """Opened once, without following a symlink (to a file holding the very bytes) and
    without blocking on a FIFO; neither is as written, whatever its ctime says."""
    files = _files(tmp_path, 3)
    target = tmp_path / "elsewhere.yaml"
    os.replace(files[0][0], target)
    os.symlink(target, files[0][0])
    Path(files[1][0]).unlink()
    os.mkfifo(files[1][0])
    newer = max(os.lstat(f).st_ctime_ns for f, _ in files) + 1
    for written in (0, newer):  # hashed, or trusted by ctime
        assert intact_files(files, written=written)[:2] == [None, None]


def test_a_file_turned_into_a_symlink_after_its_look_is_not_as_written(tmp_path: Path) -> None:
    """The no-op's two steps (``looked_at``, then ``confirmed``): a file replaced by a
    symlink to the very bytes, or by a FIFO, between them is not read through it."""
    files = _files(tmp_path, 2)
    looks = [(os.lstat(f).st_ctime_ns, False) for f, _ in files]  # regular, to be hashed
    target = tmp_path / "elsewhere.yaml"
    os.replace(files[0][0], target)
    os.symlink(target, files[0][0])
    Path(files[1][0]).unlink()
    os.mkfifo(files[1][0])
    assert confirmed(files, looks) == [None, None]


def test_a_file_the_user_cannot_read_is_looked_at_by_its_ctime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mode 000 for a user; simulated, as root opens every file: its open is refused."""
    files = _files(tmp_path, 1)
    real_open = os.open

    def refused(path: str, flags: int, *args: int) -> int:
        if path == files[0][0]:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refused)
    newer = os.lstat(files[0][0]).st_ctime_ns + 1
    assert intact_files(files, written=newer) == [os.lstat(files[0][0]).st_ctime_ns]
    assert intact_files(files, written=0) == [None]  # to be hashed, and it cannot be read


def test_many_files_are_hashed_on_two_cores_with_the_same_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    files = _files(tmp_path, 40)
    for index in (3, 31):  # one in each half
        Path(files[index][0]).write_text("kind: Secret # forged\n")
    one = intact_files(files, written=0)
    assert forks == []
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    assert intact_files(files, written=0) == one
    assert len(forks) == 1  # each half opened, looked at and hashed in its own process
    assert [i for i, c in enumerate(one) if c is None] == [3, 31]


def test_a_look_ahead_keeps_what_a_look_now_keeps(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """``looked_ahead``: one child looks at every file the marker lists while the render
    goes on (never in halves of its own); the folders kept from what it found are those a
    look now keeps: not the one with a file edited by hand."""
    out = tmp_path / "out"
    assert run_line("render", sample_tree, "-o", out).exit_code == 0
    edited = out / "shop/dev/kustomization.yaml"
    edited.write_text(edited.read_text() + "# edited\n")
    previous = read_marker(out)
    inputs = TreeInputs(sample_tree.resolve(), (out,), __version__)
    valid = valid_model(sample_tree, False, (out,))
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    with looked_ahead(out, previous, "another aigonix-render") as none:
        assert none is None  # its sections not trusted: no folder kept, no child
    assert forks == []
    with looked_ahead(out, previous, inputs.tool) as looks:
        assert looks is not None
        ahead = kept_folders(out, previous, inputs, valid.tree, valid.model, looks)
    assert len(forks) == 1
    now = kept_folders(out, previous, inputs, valid.tree, valid.model)
    assert ahead == now
    assert "shop/dev" not in now and {"shop/prod", "warehouse/dev"} <= now.keys()
