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
    digests mean an equal render. Hidden folders and ``exclude`` are not input."""
    digest = hashlib.sha256(settings.encode())
    package = Path(__file__).parent
    tool = [
        ("code", package, False),
        ("templates", Path(str(resources.files("aigonix_render.templates"))), True),
        ("schemas", Path(str(resources.files("aigonix_render.schemas"))), True),
        ("tree", root, True),
    ]
    excluded = tuple(p.resolve() for p in exclude)
    for label, folder, deep in tool:
        for path in _input_entries(folder, excluded, deep):
            digest.update(f"{label}:".encode() + os.fsencode(path.relative_to(folder)) + b"\0")
            digest.update(_entry_digest(path))
    return "sha256:" + digest.hexdigest()


def _input_entries(folder: Path, exclude: tuple[Path, ...], deep: bool) -> Iterator[Path]:
    """Every folder, file and symlink (broken ones too) that the tree is made of."""
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if deep and _is_input_folder(here / d, exclude))
        yield from (here / d for d in dirs)
        yield from (here / name for name in sorted(files) if deep or name.endswith(".py"))


def _entry_digest(path: Path) -> bytes:
    """What an entry is, read without failing: a file that cannot be read (gone, no
    permission) gets a digest of its own, and validation reports it with a position."""
    try:
        link = b"link:" + os.fsencode(os.readlink(path)) + b"\0" if path.is_symlink() else b""
        if path.is_file():
            return link + _file_digest(path)
        return link + (b"dir" if path.is_dir() else b"other")
    except OSError as error:
        return f"unreadable:{error.errno}".encode()


CHUNK = 1024 * 1024


def _file_digest(path: Path) -> bytes:
    """In chunks: a huge file costs time, never memory (validation refuses it later)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.digest()


def _is_input_folder(path: Path, exclude: tuple[Path, ...]) -> bool:
    return not path.name.startswith(".") and path.name != "__pycache__" and path.resolve() not in exclude
