"""Writing the imported tree: built in a staging folder of its own beside TREE, then renamed
into place; a failed import leaves nothing anywhere.

TREE may be absent or hold only hidden entries (``.git``, the ``.sops.yaml`` the
recipients are read from); anything else needs ``--force``, which replaces the tree's
``aigonix.yaml``, ``registry.sops.yaml`` and ``applications/`` and leaves the rest.

``reserved`` holds the lock of TREE's parent (``lock``) for the whole import, makes the
parent if it is missing and removes it again unless the import ``keep``s what it wrote.
``staged`` writes the files into ``.<TREE>.aigonix-import-<random>``, unique to the run,
and removes it on the way out, whatever happens; every path is checked there to lie
inside it, the one place files are written. ``swap`` moves it into TREE: an absent TREE
is the folder renamed (one atomic step); into an existing TREE each top-level entry is
renamed, ``aigonix.yaml`` last, and put back as it was if a rename fails or Ctrl-C comes.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.commands.importer.lock import parent_lock
from aigonix_render.commands.importer.sops_config import SOPS_CONFIG
from aigonix_render.foundation import OutputError

REPLACED = ("applications", "registry.sops.yaml", "aigonix.yaml")


class Reservation:
    """The import's claim on TREE: ``keep`` once TREE holds the new tree."""

    def __init__(self) -> None:
        self.kept = False

    def keep(self) -> None:
        self.kept = True


def _prefix(tree: Path) -> str:
    return f".{tree.name}.aigonix-import"


def _unique(tree: Path, what: str) -> Path:
    """A new empty folder beside TREE that no other run names (made with the umask's mode)."""
    while True:
        folder = tree.parent / f"{_prefix(tree)}-{what}{secrets.token_hex(6)}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


@contextmanager
def reserved(tree: Path) -> Iterator[Reservation]:
    """TREE's parent, made if missing and locked while the import runs."""
    missing = [p for p in (tree.parent, *tree.parent.parents) if not p.exists()]
    reservation = Reservation()
    try:
        tree.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write beside {tree}: {error.strerror}") from None
    try:
        with parent_lock(tree) as locked:
            if locked:
                _discard_leftovers(tree)
            yield reservation
    finally:
        if not reservation.kept:
            _remove_empty(missing)


def _discard_leftovers(tree: Path) -> None:
    """The staging folders of runs that were killed: while the lock is held, no other run
    has one beside TREE."""
    prefix = _prefix(tree)
    for leftover in tree.parent.iterdir():
        if leftover.name == prefix or leftover.name.startswith(f"{prefix}-"):
            shutil.rmtree(leftover, ignore_errors=True)


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # the deepest first
        try:
            folder.rmdir()
        except OSError:
            return


def check_target(tree: Path, force: bool) -> bytes | None:
    """Refuse a TREE with content unless forced; the ``.sops.yaml`` in it, if any."""
    if tree.exists() and not tree.is_dir():
        raise OutputError(f"{tree} is not a folder")
    visible = sorted(p.name for p in tree.iterdir() if not p.name.startswith(".")) if tree.is_dir() else []
    if visible and not force:
        shown = ", ".join(visible[:3]) + (", ..." if len(visible) > 3 else "")
        raise OutputError(f"{tree} is not empty ({shown}): import writes a new tree; --force replaces it")
    config = tree / SOPS_CONFIG
    return config.read_bytes() if config.is_file() else None


@contextmanager
def staged(tree: Path, files: dict[str, bytes]) -> Iterator[Path]:
    """All files in a staging folder of this run beside TREE, removed when the block ends."""
    try:
        staging = _unique(tree, "")
    except OSError as error:
        raise OutputError(f"cannot write beside {tree}: {error.strerror}") from None
    try:
        _write(staging, files, tree)
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(staging: Path, files: dict[str, bytes], tree: Path) -> None:
    try:
        for relative, content in files.items():
            path = inside(staging, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    except OSError as error:
        raise OutputError(f"cannot write beside {tree}: {error.strerror}") from None


def inside(folder: Path, relative: str) -> Path:
    """``folder/relative``, refused unless it lies inside ``folder``: no name from a dump
    (checked before, ``naming``) nor any future one can write elsewhere."""
    posix = PurePosixPath(relative)
    parts = posix.parts
    bad = not parts or posix.is_absolute() or any(part in (".", "..") for part in parts)
    if bad or "\x00" in relative or "\\" in relative:
        raise DumpError(f"refused to write {relative!r}: not a path inside the tree")
    path = folder.joinpath(*parts)
    if not path.resolve().is_relative_to(folder.resolve()):
        raise DumpError(f"refused to write {relative!r}: it leads outside the tree")
    return path


def swap(tree: Path, staging: Path) -> None:
    try:
        if not tree.exists():
            os.rename(staging, tree)
            return
        retired = _unique(tree, "old-")
        try:
            _move_in(staging, tree, retired)
        finally:
            shutil.rmtree(retired, ignore_errors=True)
    except OSError as error:
        raise OutputError(f"cannot move the new tree into {tree}: {error.strerror}") from None


def _move_in(staging: Path, tree: Path, retired: Path) -> None:
    """Each entry renamed into TREE, the old one kept in ``retired`` until all are; on any
    failure (Ctrl-C too) every rename is undone, newest first."""
    done: list[tuple[Path, Path]] = []
    names = sorted(p.name for p in staging.iterdir())
    try:
        for name in sorted(names, key=lambda n: REPLACED.index(n) if n in REPLACED else -1):
            if (tree / name).exists() or (tree / name).is_symlink():
                _rename(tree / name, retired / name, done)
            _rename(staging / name, tree / name, done)
        for name in REPLACED:
            if name not in names and (tree / name).exists():
                _rename(tree / name, retired / name, done)
    except BaseException:
        for source, target in reversed(done):
            os.rename(target, source)
        raise


def _rename(source: Path, target: Path, done: list[tuple[Path, Path]]) -> None:
    os.rename(source, target)
    done.append((source, target))
