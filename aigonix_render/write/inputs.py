"""The digest of a render's inputs: the tree's files and aigonix-render itself.

Equal digests mean an equal render, so a render whose output carries the same digest (in
its ownership marker) and whose files are untouched has nothing to do. Only the standard
library is imported here: the no-op path must start fast.
"""

from __future__ import annotations

import hashlib
import operator
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path


def input_digest(root: Path, exclude: Sequence[Path], settings: str) -> str:
    """A digest of every input file (path and bytes) and of aigonix-render itself (its
    Python files, templates and schemas): equal digests mean an equal render. Hidden
    folders, caches and ``exclude`` are not input."""
    digest = hashlib.sha256(settings.encode())
    tool = [
        ("code", str(Path(__file__).parents[1]), _is_code),
        ("templates", str(resources.files("aigonix_render.templates")), None),
        ("schemas", str(resources.files("aigonix_render.schemas")), None),
        ("tree", str(root), None),
    ]
    excluded = {os.path.realpath(p) for p in exclude}
    for label, folder, wanted in tool:
        start = len(folder) + 1
        for entry in _input_entries(folder, excluded, wanted):
            digest.update(f"{label}:".encode() + os.fsencode(entry.path[start:]) + b"\0")
            digest.update(_entry_digest(entry))
    return "sha256:" + digest.hexdigest()


def _is_code(name: str) -> bool:
    """aigonix-render's own files that change a render: its Python modules."""
    return name.endswith(".py")


def _input_entries(
    folder: str, exclude: set[str], wanted: Callable[[str], bool] | None
) -> Iterator[os.DirEntry[str]]:
    """Every folder, file and symlink (broken ones too) that the tree is made of, in name
    order, depth first. ``scandir`` tells a folder, a file and a symlink apart from the
    listing itself: no system call per entry but reading it (the no-op path of N=1000
    digests some 12,000 entries)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
    except OSError:  # unreadable, or gone: its own entry says so (see _kind_digest)
        return
    for entry in entries:
        if _is_dir(entry):  # a folder, or a symlink to one (listed, never followed)
            if _is_input_folder(entry, exclude):
                yield entry
                if not entry.is_symlink():
                    yield from _input_entries(entry.path, exclude, wanted)
        elif wanted is None or wanted(entry.name):
            yield entry


_NAME = operator.attrgetter("name")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink whose target cannot be looked at: digested as a file is
        return False


def _is_input_folder(entry: os.DirEntry[str], exclude: set[str]) -> bool:
    """Not hidden, not a cache, not the output (the walk starts at a resolved root, so a
    folder's path is its real path unless the folder is itself a symlink)."""
    if entry.name.startswith(".") or entry.name == "__pycache__":
        return False
    return entry.path not in exclude and (
        not entry.is_symlink() or os.path.realpath(entry.path) not in exclude
    )


def _entry_digest(entry: os.DirEntry[str]) -> bytes:
    """What an entry is, read without failing: a file that cannot be read (gone, no
    permission) gets a digest of its own, and validation reports it with a position."""
    link = b""
    try:
        if not entry.is_symlink():
            return _kind_digest(entry.path, entry.is_file(follow_symlinks=False), _is_dir(entry))
        link = b"link:" + os.fsencode(os.readlink(entry.path)) + b"\0"  # broken ones too
        target = os.stat(entry.path)
        return link + _kind_digest(entry.path, stat.S_ISREG(target.st_mode), stat.S_ISDIR(target.st_mode))
    except OSError as error:
        return link + f"unreadable:{error.errno}".encode()


def _kind_digest(path: str, is_file: bool, is_dir: bool) -> bytes:
    """A file by its bytes; a folder by whether it can be listed (its entries follow it)."""
    if is_file:
        return _file_digest(path)
    if is_dir:
        return b"dir" if os.access(path, os.R_OK | os.X_OK) else b"dir:unlistable"
    return b"other"


CHUNK = 1024 * 1024


def _file_digest(path: str) -> bytes:
    """In chunks: a huge file costs time, never memory (validation refuses it later)."""
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(descriptor, CHUNK):
            digest.update(chunk)
    finally:
        os.close(descriptor)
    return digest.digest()
