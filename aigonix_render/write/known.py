"""The input files' digests remembered by what identifies a file's bytes, so a run hashes
only the files that changed since (git's stat cache, for the tree).

One cache file per tree, in the user's cache folder (``$XDG_CACHE_HOME/aigonix-render/digests``
or ``~/.cache/...``; ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows), named by
the SHA-256 of the tree's real path. Not beside the marker: OUT is committed, and a cache
there would be committed with it, churn on every render and name inode numbers that mean
nothing in another clone; OUT may also be writable by others, while the cache folder is
used only when it is a real folder of this user's that nobody else can write in (created
0700). The cache file is a checked cache entry (``foundation.read_entry``: this user's,
writable by nobody else, not followed through a symlink, written whole, carrying the
SHA-256 of its bytes); anything else about it makes it no cache.

An entry maps a path of the tree to the file's device, inode, size and modification time
(ns) and the SHA-256 of its bytes. A file whose four match is not read. Not its
status-change time: a hard-linked copy of the tree (``cp -al``, backup tools, the
benchmarks) gives every file a new one but keeps its bytes. The price: bytes rewritten in
place, size kept and the modification time set back to the very nanosecond by hand, look
unchanged (as to git with ``core.trustctime=false``); ``AIGONIX_RENDER_NO_CACHE`` turns the
cache off. The racy-timestamp rule: a file is remembered only when its modification time
is at least ``RACY_NS`` older than the run's start, so an edit that lands in the same tick
of a coarse file clock (FAT's two seconds) as the bytes hashed, or during the run, gives the
file a time that no entry holds. Only the standard library is used: the no-op path starts
fast.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import time
from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import read_entry, user_cache, write_entry
from aigonix_render.write.walk import entry_digest, file_identity_digest

RACY_NS = 2_000_000_000
"""An entry's modification time is at least this much older than the run that hashed it."""
_FORMAT = b"aigonix-render digests 1\n"
_DIGEST = hashlib.sha256().digest_size

Entry = tuple[int, int, int, int, bytes]


class Known:
    """The digests the cache file at ``place`` remembers, and those to keep."""

    def __init__(self, place: str) -> None:
        self.place = place
        self.started = time.time_ns()
        self._entries: dict[Any, Any] = _load(place)
        self._used: dict[str, Entry] = {}
        self._added = False

    @classmethod
    def for_tree(cls, root: str, environ: Mapping[str, str]) -> Known | None:
        """The cache of the tree at ``root``; None when it is turned off or has no safe place
        (then every input is hashed)."""
        folder = user_cache("digests", environ)
        if folder is None:
            return None
        name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()
        return cls(os.path.join(folder, name))

    def entry_digest(self, relative: str, path: str) -> bytes:
        """``walk.entry_digest(path)``, a regular file's from the cache when its identity matches."""
        try:
            status = os.lstat(path)
        except OSError:
            return entry_digest(path)
        if not stat.S_ISREG(status.st_mode):
            return entry_digest(path, status)
        identity = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
        entry: Any = self._entries.get(relative)
        if _sound(entry) and entry[:4] == identity:
            self._used[relative] = entry
            return bytes(entry[4])
        found = file_identity_digest(path)
        if found is None:  # replaced meanwhile, or unreadable: no entry
            return entry_digest(path)
        digest, read = found
        if read.st_mtime_ns < self.started - RACY_NS:
            self._used[relative] = (read.st_dev, read.st_ino, read.st_size, read.st_mtime_ns, digest)
            self._added = True
        return digest

    def save(self) -> None:
        """Keep the entries this run used and added, when it added one (else the cache holds
        them already); a failure only costs the hashing next time."""
        if not self._added:
            return
        write_entry(self.place, _FORMAT, marshal.dumps(self._used))
        self._entries, self._added = dict(self._used), False


def _sound(entry: object) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 5
        and isinstance(entry[4], bytes)
        and len(entry[4]) == _DIGEST
    )


def _load(place: str) -> dict[Any, Any]:
    """The entries of the cache file; none when it is no sound cache entry."""
    payload = read_entry(place, _FORMAT)
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}
