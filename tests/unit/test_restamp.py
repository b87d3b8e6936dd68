"""write/restamp.py: a no-op that had to hash the files stamps the marker anew, and never
lets a file whose bytes differ from the marker's hash be trusted unread."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from aigonix_render.foundation import read_regular
from aigonix_render.foundation.output import OutputFile
from aigonix_render.write import intact
from aigonix_render.write import marker as ownership
from aigonix_render.write import restamp as restamping
from aigonix_render.write.files import write_output
from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import MARKER, MarkerInputs, hashed_files
from aigonix_render.write.restamp import HASHED_ENOUGH, up_to_date_restamped

TREE = TreeInputs(Path("/nonexistent/tree"), (), "restamp")
COUNT = HASHED_ENOUGH + 6
OLD = "app/Dev/old.yaml"  # trusted by its ctime: older than the copy's marker


@pytest.fixture
def old_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files' changes count as long past (a test cannot wait seconds for it)."""
    monkeypatch.setattr(restamping, "RACY_NS", -(10**12))


def _output(tmp_path: Path, newer: int = COUNT) -> Path:
    """An OUT of COUNT files and OLD, then copied as a user copies a folder: ``newer`` of the
    files newer than the copy's marker, as after a hard-linked copy, a restore or a checkout."""
    first = tmp_path / "first"
    files = [OutputFile(f"app/Dev/file-{i}.yaml", f"kind: ConfigMap # {i}\n") for i in range(COUNT)]
    files.append(OutputFile(OLD, "kind: ConfigMap # old\n"))
    write_output(first, files, MarkerInputs(TREE.tool, {"app/Dev": (TREE.section(()), ())}))
    out = tmp_path / "out"
    shutil.copytree(first, out)
    os.utime(out / MARKER)  # newer than OLD, older than what follows
    for i in range(newer):
        file = out / f"app/Dev/file-{i}.yaml"
        os.chmod(file, file.stat().st_mode)  # a new ctime, the same bytes
    return out


def _hashed(out: Path) -> dict[str, int] | None:
    checked = hashed_files(out, TREE)
    return None if checked is None else checked.hashed


def _restamped(out: Path) -> bool:
    return up_to_date_restamped(out, TREE, ownership.read_marker(out))


def test_after_one_no_op_hashed_every_file_the_next_hashes_none(tmp_path: Path, old_enough: None) -> None:
    out = _output(tmp_path)
    assert len(_hashed(out) or {}) == COUNT
    assert _restamped(out)
    assert _hashed(out) == {}


def test_files_changed_just_now_are_not_worth_trusting_yet(tmp_path: Path) -> None:
    """Within the racy window an edit after the hash could keep the file's ctime (coarse
    file times): no stamp, the next no-op hashes them again."""
    out = _output(tmp_path)
    stamp = (out / MARKER).stat().st_ctime_ns
    assert _restamped(out)
    assert (out / MARKER).stat().st_ctime_ns == stamp
    assert len(_hashed(out) or {}) == COUNT


def test_few_hashed_files_are_not_worth_a_stamp(tmp_path: Path, old_enough: None) -> None:
    out = _output(tmp_path, newer=HASHED_ENOUGH - 1)
    stamp = (out / MARKER).stat().st_ctime_ns
    assert _restamped(out)
    assert (out / MARKER).stat().st_ctime_ns == stamp
    assert len(_hashed(out) or {}) == HASHED_ENOUGH - 1
    (tmp_path / "enough").mkdir()
    fresh = _output(tmp_path / "enough", newer=HASHED_ENOUGH)
    assert _restamped(fresh)
    assert _hashed(fresh) == {}


@pytest.mark.parametrize("edited", ["app/Dev/file-3.yaml", OLD])
def test_a_file_edited_between_the_check_and_the_stamp_is_hashed_again(
    tmp_path: Path, old_enough: None, edited: str
) -> None:
    """A hashed file edited after its hash, or a file trusted by its ctime edited after it
    was looked at: the edit lands before the stamp, so its ctime is older than the new one."""
    out = _output(tmp_path)
    checked = hashed_files(out, TREE)
    assert checked is not None
    (out / edited).write_text("kind: ConfigMap # forged\n")
    marker = ownership.read_marker(out)
    assert marker is not None
    restamping.restamp(out, [f"{out}/{p}" for p in marker.files], checked, 2**62)
    assert (out / edited).stat().st_ctime_ns >= (out / MARKER).stat().st_ctime_ns
    assert hashed_files(out, TREE) is None


def test_a_symlink_put_in_place_of_a_file_never_changes_its_target(tmp_path: Path, old_enough: None) -> None:
    out = _output(tmp_path)
    target = tmp_path / "private"
    target.write_text("secret\n")
    target.chmod(0o600)
    checked = hashed_files(out, TREE)
    assert checked is not None
    swapped = out / "app/Dev/file-5.yaml"
    swapped.unlink()
    swapped.symlink_to(target)
    restamping.restamp(out, [str(swapped)], checked, 2**62)
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    assert hashed_files(out, TREE) is None  # a symlink is never trusted


def test_a_marker_replaced_meanwhile_is_not_stamped(tmp_path: Path, old_enough: None) -> None:
    out = _output(tmp_path)
    checked = hashed_files(out, TREE)
    assert checked is not None
    text = (out / MARKER).read_bytes()
    (out / MARKER).unlink()
    (out / MARKER).write_bytes(text)
    stamp = (out / MARKER).stat().st_ctime_ns
    restamping.restamp(out, [], checked, 2**62)
    assert (out / MARKER).stat().st_ctime_ns == stamp


def test_a_file_of_another_user_is_never_trusted_by_its_ctime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _output(tmp_path)
    read: list[str] = []

    def counted(path: str) -> tuple[bytes, int] | None:
        read.append(path)
        return read_regular(path)

    monkeypatch.setattr(intact, "read_regular", counted)
    assert _hashed(out) is not None and f"{out}/{OLD}" not in read
    monkeypatch.setattr(intact, "TIMES_OF", os.geteuid() + 1)
    assert _hashed(out) is not None and f"{out}/{OLD}" in read  # though older than the marker


def test_a_changed_file_leaves_the_stamp_as_it_was(tmp_path: Path, old_enough: None) -> None:
    out = _output(tmp_path)
    (out / "app/Dev/file-9.yaml").write_text("kind: ConfigMap # forged\n")
    stamp = (out / MARKER).stat().st_ctime_ns
    assert not _restamped(out)
    assert (out / MARKER).stat().st_ctime_ns == stamp
    assert hashed_files(out, TREE) is None


def test_an_unreadable_file_removed_meanwhile_ends_no_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be opened (mode 000 for a user; simulated: root reads every file)
    and is gone by the time it would be given a newer ctime: the stamp goes on."""
    out = _output(tmp_path)
    gone = out / "app/Dev/file-2.yaml"
    real_open = os.open

    def refused(path: object, *args: object, **kwargs: object) -> int:
        if str(path) == str(gone):
            gone.unlink()
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refused)
    restamping._bump(str(gone))
    assert not gone.exists()
