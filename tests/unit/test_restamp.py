"""write/restamp.py: a no-op that had to hash the files stamps the marker anew, and never
trusts a file edited between its hash and the stamp."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from aigonix_render.foundation.output import OutputFile
from aigonix_render.write import marker as ownership
from aigonix_render.write.files import write_output
from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import MARKER, MarkerInputs, hashed_files
from aigonix_render.write.restamp import HASHED_ENOUGH, restamp, up_to_date_restamped

TREE = TreeInputs(Path("/nonexistent/tree"), (), "restamp")
COUNT = HASHED_ENOUGH + 6


def _output(tmp_path: Path) -> Path:
    """An OUT of COUNT files, then copied as a user copies a folder: every file newer than
    the copy's marker (``cp -a`` writes the marker in the middle), as after a hard-linked copy,
    a restored backup or a checkout."""
    first = tmp_path / "first"
    files = [OutputFile(f"app/Dev/file-{i}.yaml", f"kind: ConfigMap # {i}\n") for i in range(COUNT)]
    write_output(first, files, MarkerInputs(TREE.tool, {"app/Dev": (TREE.section(()), ())}))
    out = tmp_path / "out"
    shutil.copytree(first, out)
    os.utime(out / MARKER)  # older than what follows
    for file in (out / "app/Dev").iterdir():
        os.chmod(file, file.stat().st_mode)  # a new ctime, the same bytes
    return out


def test_after_one_no_op_hashed_every_file_the_next_hashes_none(tmp_path: Path) -> None:
    out = _output(tmp_path)
    assert len(hashed_files(out, TREE) or {}) == COUNT
    assert up_to_date_restamped(out, TREE, ownership.read_marker(out))
    assert hashed_files(out, TREE) == {}


def test_few_hashed_files_are_not_worth_a_stamp(tmp_path: Path) -> None:
    out = _output(tmp_path)
    stamp = (out / MARKER).stat().st_ctime_ns
    hashed = hashed_files(out, TREE) or {}
    restamp(str(out / MARKER), dict(list(hashed.items())[: HASHED_ENOUGH - 1]))
    assert (out / MARKER).stat().st_ctime_ns == stamp


def test_a_file_edited_between_its_hash_and_the_stamp_is_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _output(tmp_path)
    hashed = hashed_files(out, TREE)
    assert hashed is not None
    edited = out / "app/Dev/file-3.yaml"
    edited.write_text("kind: ConfigMap # forged\n")  # after its hash, before the stamp
    real_utime = os.utime

    def stamp_then_look(path: str) -> None:
        real_utime(path)
        assert edited.stat().st_ctime_ns < (out / MARKER).stat().st_ctime_ns  # would be trusted

    monkeypatch.setattr(os, "utime", stamp_then_look)
    restamp(str(out / MARKER), hashed)
    assert edited.stat().st_ctime_ns >= (out / MARKER).stat().st_ctime_ns
    assert hashed_files(out, TREE) is None


def test_a_changed_file_leaves_the_stamp_as_it_was(tmp_path: Path) -> None:
    out = _output(tmp_path)
    (out / "app/Dev/file-9.yaml").write_text("kind: ConfigMap # forged\n")
    stamp = (out / MARKER).stat().st_ctime_ns
    assert not up_to_date_restamped(out, TREE, ownership.read_marker(out))
    assert (out / MARKER).stat().st_ctime_ns == stamp
    assert hashed_files(out, TREE) is None
