"""The one walk for manifests at unknown places (``foundation.manifest_folders``): the load
refuses what it finds, and the no-op (``write.walk``) re-renders for the very same, so a
no-op never passes a tree the load refuses, nor re-renders one it takes."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aigonix_render.foundation import MANIFEST, known_manifest_place, manifest_folders
from aigonix_render.load.place import Place
from aigonix_render.load.strays import stray_manifests
from aigonix_render.write.walk import manifests_at_unknown_places


def _tree(root: Path) -> Path:
    for folder in (
        "",
        "applications/shop",
        "applications/shop/microservices/web",
        "applications/shop/docs",  # a stray
        ".hidden/deep",  # never entered
        "out/shop",  # the output: never entered
        "elsewhere",  # only a symlink's target
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / MANIFEST).write_text("kind: Customer\n")
    os.symlink(root / "elsewhere", root / "applications/shop/linked")  # a symlinked folder: not entered
    (root / "applications/shop/microservices/web/files").mkdir()
    os.symlink(root / "elsewhere", root / "applications/shop/microservices/web/files" / MANIFEST)
    (root / "elsewhere" / MANIFEST).unlink()
    return root


def test_the_folders_the_loader_enters_and_only_files_count(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = manifest_folders(str(root), {str(root / "out")})
    assert sorted(found) == [
        "",
        "applications/shop",
        "applications/shop/docs",
        "applications/shop/microservices/web",
    ]
    assert [f for f in sorted(found) if not known_manifest_place(f)] == ["applications/shop/docs"]
    skipped = manifest_folders(str(root), {str(root / "out")}, lambda path: path.endswith("docs"))
    assert "applications/shop/docs" not in skipped


def test_the_load_and_the_no_op_find_the_same_strays(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    out = root / "out"
    loaded = [p.file for p in stray_manifests(Place(root, (out,)))]
    assert (
        loaded
        == list(manifests_at_unknown_places(str(root), frozenset({str(out)})))
        == [f"applications/shop/docs/{MANIFEST}"]
    )


def test_a_folder_whose_listing_fails_midway_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while a folder is listed (EIO, a stale NFS handle), not only when it is
    opened: the folder is left out, as the loader leaves it, not a crash of the run."""
    root = _tree(tmp_path)
    real = os.scandir

    class Failing:
        def __init__(self, path: str) -> None:
            self.listing = real(path)

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.listing.close()

        def __iter__(self) -> Iterator[Any]:
            yield next(iter(self.listing))
            raise OSError(errno.EIO, "Input/output error")

    def scandir(path: str) -> Any:
        return Failing(path) if str(path).endswith("/docs") else real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = manifest_folders(str(root), {str(root / "out")})
    assert "applications/shop/docs" not in found and "applications/shop" in found
