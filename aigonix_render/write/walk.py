"""Walking the input tree for its digests, with the standard library only: each entry read
without failing (a file that cannot be read gets a digest of its own, and validation
reports it with a position), folders the way the loader enters them."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator

MANIFEST = "aigonix.yaml"
CHUNK = 1024 * 1024


def names(root: str, folder: str) -> list[str]:
    """The names in a folder of the tree, sorted; none when it is absent or unreadable (its
    own entry's digest says which)."""
    try:
        return sorted(os.listdir(os.path.join(root, folder)))
    except OSError:
        return []


def folders(root: str, parent: str, exclude: frozenset[str]) -> list[str]:
    """The entries of ``parent`` the loader takes for folders (applications, microservices,
    environments): not hidden, not the output, not a file."""
    found = []
    for name in names(root, parent):
        relative = f"{parent}/{name}"
        path = os.path.join(root, relative)
        if name.startswith(".") or path in exclude or os.path.realpath(path) in exclude:
            continue
        if not os.path.isfile(path):
            found.append(relative)
    return found


def manifests_at_unknown_places(root: str, exclude: frozenset[str]) -> Iterator[str]:
    """Every ``aigonix.yaml`` in a folder the loader walks that is not at the root, in an
    application or in a microservice: validation refuses each."""
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(root, folder)) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
        except OSError:
            continue
        for name, real_folder in entries:
            relative = f"{folder}/{name}" if folder else name
            if real_folder and not name.startswith(".") and os.path.join(root, relative) not in exclude:
                pending.append(relative)
            elif name == MANIFEST and not _known_place(relative.split("/")):
                yield relative


def _known_place(parts: list[str]) -> bool:
    return (
        len(parts) == 1
        or (len(parts) == 3 and parts[0] == "applications")
        or (len(parts) == 5 and parts[0] == "applications" and parts[2] == "microservices")
    )


def entry_digest(path: str) -> bytes:
    """What is at ``path``: nothing, a file by its bytes, a folder by whether it can be
    listed, a symlink by its target and what that is (broken ones too)."""
    link = b""
    try:
        status = os.lstat(path)
        if stat.S_ISLNK(status.st_mode):
            link = b"link:" + os.fsencode(os.readlink(path)) + b"\0"
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
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(descriptor, CHUNK):
            digest.update(chunk)
    finally:
        os.close(descriptor)
    return digest.digest()
