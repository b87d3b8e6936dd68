"""Walking the input tree for its digests, with the standard library only: each entry read
without failing (a file that cannot be read gets a digest of its own, and validation
reports it with a position), folders the way the loader enters them."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator

from aigonix_render.foundation import MANIFEST, known_manifest_place, manifest_folders

CHUNK = 1024 * 1024


def names(root: str, folder: str) -> list[str]:
    """The names in a folder of the tree, sorted; none when it is absent or unreadable (its
    own entry's digest says which)."""
    try:
        return sorted(os.listdir(f"{root}/{folder}"))
    except OSError:
        return []


def folders(root: str, parent: str, exclude: frozenset[str]) -> list[str]:
    """The entries of ``parent`` the loader takes for folders (applications, microservices,
    environments): not hidden, not the output, not a file. One listing, no path resolved
    per entry: an entry that is no symlink lies in ``parent``'s real folder."""
    try:
        with os.scandir(f"{root}/{parent}") as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []
    found = []
    real: str | None = None
    excluded = {os.path.basename(path) for path in exclude}
    for entry in entries:
        if entry.name.startswith(".") or _is_file(entry):
            continue
        if exclude and (entry.name in excluded or not _plain(entry)):
            if real is None:
                real = os.path.realpath(os.path.join(root, parent))
            resolved = os.path.join(real, entry.name) if _plain(entry) else os.path.realpath(entry.path)
            if entry.path in exclude or resolved in exclude:
                continue
        found.append(f"{parent}/{entry.name}")
    return found


def _plain(entry: os.DirEntry[str]) -> bool:
    """Known to be no symlink."""
    try:
        return not entry.is_symlink()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    """``os.path.isfile``: a file, or a symlink to one."""
    try:
        return entry.is_file()
    except OSError:
        return False


def manifests_at_unknown_places(root: str, exclude: frozenset[str]) -> Iterator[str]:
    """Every ``aigonix.yaml`` in a folder the loader walks that is not at the root, in an
    application or in a microservice: validation refuses each (the load's walk)."""
    for folder in manifest_folders(root, exclude):
        if not known_manifest_place(folder):
            yield f"{folder}/{MANIFEST}" if folder else MANIFEST


LINK = b"link:"
"""How the digest of a symlink starts (``entry_digest``)."""


def entry_digest(path: str, status: os.stat_result | None = None) -> bytes:
    """What is at ``path``: nothing, a file by its bytes, a folder by whether it can be
    listed, a symlink by its target and what that is (broken ones too). ``status``: its
    ``lstat``, when the caller has it."""
    link = b""
    try:
        status = os.lstat(path) if status is None else status
        if stat.S_ISLNK(status.st_mode):
            link = LINK + os.fsencode(os.readlink(path)) + b"\0"
            status = os.stat(path)
        return link + _kind_digest(path, status.st_mode)
    except FileNotFoundError:
        return link + b"absent"
    except OSError as error:
        return link + f"unreadable:{error.errno}".encode()


def _kind_digest(path: str, mode: int) -> bytes:
    if stat.S_ISREG(mode):
        return _file_digest(path)
    if stat.S_ISDIR(mode):
        return b"dir" if os.access(path, os.R_OK | os.X_OK) else b"dir:unlistable"
    return b"other"


def _file_digest(path: str) -> bytes:
    """In chunks: a huge file costs time, never memory (validation refuses it later)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return _read_digest(descriptor)
    finally:
        os.close(descriptor)


def file_identity_digest(path: str) -> tuple[bytes, os.stat_result] | None:
    """The digest of the regular file at ``path`` (no symlink followed) and its status as
    read (of the very file whose bytes were hashed); None when it is no such file or cannot
    be read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        return (_read_digest(descriptor), status) if stat.S_ISREG(status.st_mode) else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _read_digest(descriptor: int) -> bytes:
    digest = hashlib.sha256()
    while chunk := os.read(descriptor, CHUNK):
        digest.update(chunk)
    return digest.digest()


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
