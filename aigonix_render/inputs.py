"""The digest of a render's inputs: the tree's files and aigonix-render itself.

Equal digests mean an equal render, so a render whose output carries the same digest (in
its ownership marker) and whose files are untouched has nothing to do. Only the standard
library is imported here: the no-op path must start fast.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path


def input_digest(root: Path, exclude: Sequence[Path], settings: str) -> str:
    """A digest of every input file (path and bytes) and of aigonix-render itself: equal
    digests mean an equal render. Hidden folders and ``exclude`` are not input. Plain strings
    and ``os`` calls, not ``pathlib``: the no-op path digests some 10,000 entries at N=1000."""
    digest = hashlib.sha256(settings.encode())
    tool = [
        ("code", str(Path(__file__).parent), False),
        ("templates", str(resources.files("aigonix_render.templates")), True),
        ("schemas", str(resources.files("aigonix_render.schemas")), True),
        ("tree", str(root), True),
    ]
    excluded = {os.path.realpath(p) for p in exclude}
    for label, folder, deep in tool:
        start = len(folder) + 1
        for path in _input_entries(folder, excluded, deep):
            digest.update(f"{label}:".encode() + os.fsencode(path[start:]) + b"\0")
            digest.update(_entry_digest(path))
    return "sha256:" + digest.hexdigest()


def _input_entries(folder: str, exclude: set[str], deep: bool) -> Iterator[str]:
    """Every folder, file and symlink (broken ones too) that the tree is made of."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if deep and _is_input_folder(current, d, exclude))
        yield from (os.path.join(current, d) for d in dirs)
        yield from (os.path.join(current, name) for name in sorted(files) if deep or name.endswith(".py"))


def _is_input_folder(parent: str, name: str, exclude: set[str]) -> bool:
    """Not hidden, not a cache, not the output (the walk starts at a resolved root, so a
    folder's path is its real path unless the folder is itself a symlink)."""
    if name.startswith(".") or name == "__pycache__":
        return False
    path = os.path.join(parent, name)
    return path not in exclude and (not os.path.islink(path) or os.path.realpath(path) not in exclude)


def _entry_digest(path: str) -> bytes:
    """What an entry is, read without failing: a file that cannot be read (gone, no
    permission) gets a digest of its own, and validation reports it with a position."""
    try:
        link = b"link:" + os.fsencode(os.readlink(path)) + b"\0" if os.path.islink(path) else b""
        if os.path.isfile(path):
            return link + _file_digest(path)
        return link + (b"dir" if os.path.isdir(path) else b"other")
    except OSError as error:
        return f"unreadable:{error.errno}".encode()


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
