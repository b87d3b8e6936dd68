"""Which files of OUT still hold the bytes aigonix-render wrote: by their status-change time
where it can be trusted, else by their hash; on two cores when many must be hashed.

A file whose ctime is older than the marker's (the marker is written last) is as written:
a ctime, unlike an mtime, cannot be set back by hand; only the user's own files are trusted
so (``TIMES_OF``). Any other file is read and hashed against the marker's digest. A fresh
checkout of OUT (git writes the marker, ``.aigonix-render``, before the folders) or a
hard-linked copy gives every file a newer ctime, and the no-op and the incremental render
then hash all of them (114 MB at N=1000): from a few thousand files a forked child
(``foundation.in_two``) looks at, and hashes, the later half meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence

from aigonix_render.foundation import FILES_PER_UNIT, in_two, worth_forking
from aigonix_render.write.previous import read_file

TIMES_OF = os.geteuid() if os.name == "posix" else None
"""Whose files are trusted by their ctime: the user's running the render (only the owner of a
file can give it a newer ctime without changing it, see ``restamp``). On Windows, where
``st_ctime`` is the creation time, no file is: every one is hashed."""


def intact_files(files: Sequence[tuple[str, str]], written: int) -> list[int | None]:
    """For each (file, SHA-256 hex digest), in order: its ctime when the regular file
    ``file`` holds those bytes (trusted unread when its ctime is older than ``written``, the
    marker's, and it is the user's), else None. Many files are looked at in two halves,
    the later one by a forked child meanwhile: a no-op at N=1000 looks at 23,500."""
    if not worth_forking(len(files) // FILES_PER_UNIT):
        return _intact(files, written)
    cut = len(files) // 2
    mine, theirs = in_two(lambda: _intact(files[:cut], written), lambda: _intact(files[cut:], written))
    return mine + theirs


def _intact(files: Sequence[tuple[str, str]], written: int) -> list[int | None]:
    found: list[int | None] = []
    unread: list[int] = []
    for index, (file, _) in enumerate(files):
        try:
            status = os.lstat(file)
        except OSError:
            found.append(None)
            continue
        if not stat.S_ISREG(status.st_mode):
            found.append(None)
            continue
        found.append(status.st_ctime_ns)
        if not (status.st_ctime_ns < written and status.st_uid == TIMES_OF):
            unread.append(index)
    for index in unread:
        if not _holds(*files[index]):
            found[index] = None
    return found


def _holds(file: str, digest: str) -> bool:
    try:
        return hashlib.sha256(read_file(file)).hexdigest() == digest
    except OSError:
        return False
