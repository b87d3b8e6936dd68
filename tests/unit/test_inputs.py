"""The input digest: what a no-op render trusts to say that nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aigonix_render.write.inputs import input_digest


def digest(root: Path) -> str:
    return input_digest(root, (), "settings")


def test_a_broken_symlink_counts_by_where_it_points(tmp_path: Path) -> None:
    (tmp_path / "link.yaml").symlink_to(tmp_path / "gone-1.yaml")
    first = digest(tmp_path)
    (tmp_path / "link.yaml").unlink()
    (tmp_path / "link.yaml").symlink_to(tmp_path / "gone-2.yaml")
    assert digest(tmp_path) != first


def test_a_folder_that_cannot_be_listed_is_a_digest_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "applications" / "shop").mkdir(parents=True)
    (tmp_path / "applications" / "shop" / "aigonix.yaml").write_text("kind: Application\n")
    readable = digest(tmp_path)
    listing = os.scandir

    def refused(path: str) -> object:
        if path.endswith("shop"):
            raise PermissionError(13, "Permission denied", path)
        return listing(path)

    monkeypatch.setattr(os, "scandir", refused)
    assert digest(tmp_path) != readable


def test_every_file_byte_and_name_counts_but_hidden_folders_do_not(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n")
    first = digest(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    assert digest(tmp_path) == first
    (tmp_path / "a.yaml").write_text("x: 2\n")
    changed = digest(tmp_path)
    (tmp_path / "a.yaml").rename(tmp_path / "b.yaml")
    assert len({first, changed, digest(tmp_path)}) == 3
