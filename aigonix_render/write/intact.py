"""Which files of OUT still hold the bytes aigonix-render wrote: by their status-change time
where it can be trusted, else by their hash; on two cores when many must be hashed.

A file whose ctime is older than the marker's (the marker is written last) is as written:
a ctime, unlike an mtime, cannot be set back by hand; only the user's own files are trusted
so (``TIMES_OF``). Any other file is read and hashed against the marker's digest. A fresh
checkout of OUT (git writes the marker, ``.aigonix-render``, before the folders) or a
hard-linked copy gives every file a newer ctime, and the no-op and the incremental render
then hash all of them (114 MB at N=1000): from a few thousand files a forked child
(``foundation.in_two``) hashes the later half meanwhile. ``looked_at`` (an ``lstat``
each) and ``confirmed`` are the two steps, for a caller that looks at the files in a child
of its own (the no-op, ``marker.hashed_files``: most files are trusted by their ctime
then); ``intact_files`` opens each file once and hashes it from the same descriptor when
its ctime does not trust it (the incremental render, and its look ahead).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence

from aigonix_render.foundation import FILES_PER_UNIT, OPEN_REGULAR, both, read_open, read_regular

TIMES_OF = os.geteuid() if os.name == "posix" else None
"""Whose files are trusted by their ctime: the user's running the render (only the owner of a
file can give it a newer ctime without changing it, see ``restamp``). On Windows, where
``st_ctime`` is the creation time, no file is: every one is hashed."""


Look = tuple[int, bool] | None
"""What a look at an output file saw: its ctime, and whether that trusts it unread; None
when it is no regular file (gone, a symlink, a folder)."""


def intact_files(files: Sequence[tuple[str, str]], written: int, halves: bool = True) -> list[int | None]:
    """For each (file, SHA-256 hex digest), in order: its ctime when the regular file
    ``file`` holds those bytes (trusted unread when its ctime is older than ``written``, the
    marker's, and it is the user's), else None. Many files are looked at in two halves,
    the later one by a forked child meanwhile (an incremental render at N=1000 keeps some
    23,000), unless not ``halves`` (in a child already: ``reuse.looked_ahead``)."""
    if not halves:
        return [_intact(file, digest, written) for file, digest in files]
    cut = len(files) // 2
    mine, theirs = both(
        len(files) // FILES_PER_UNIT,
        lambda: intact_files(files[:cut], written, halves=False),
        lambda: intact_files(files[cut:], written, halves=False),
    )
    return mine + theirs


def _intact(file: str, digest: str, written: int) -> int | None:
    """``intact_files`` of one file, opened once (never through a symlink, never waiting on
    a FIFO): its status tells whether its ctime trusts it unread, else it is read and
    hashed from the same descriptor, without the ``lstat`` of ``looked_at`` (a fifth of the
    time after a checkout, when every file is hashed). One that cannot be opened (the user
    made it unreadable) is looked at as ``looked_at`` does."""
    try:
        descriptor = os.open(file, OPEN_REGULAR)
    except OSError:
        look = looked_at([(file, digest)], written)[0]
        return look[0] if look is not None and look[1] else None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return None
        ctime = status.st_ctime_ns
        if ctime < written and status.st_uid == TIMES_OF:
            return ctime
        same = hashlib.sha256(read_open(descriptor, status.st_size)).hexdigest() == digest
        return ctime if same else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def looked_at(files: Sequence[tuple[str, str]], written: int) -> list[Look]:
    """Each file's look (``Look``), in order, in this process."""
    looks: list[Look] = []
    for file, _ in files:
        try:
            status = os.lstat(file)
        except OSError:
            looks.append(None)
            continue
        if stat.S_ISREG(status.st_mode):
            ctime = status.st_ctime_ns
            looks.append((ctime, ctime < written and status.st_uid == TIMES_OF))
        else:
            looks.append(None)
    return looks


def confirmed(
    files: Sequence[tuple[str, str]], looks: Sequence[Look], halves: bool = True
) -> list[int | None]:
    """``intact_files`` from the looks: the files not trusted unread are hashed, the later
    half in a forked child when there are many (and ``halves``)."""
    unread = [index for index, look in enumerate(looks) if look is not None and not look[1]]
    cut = len(unread) // 2
    mine, theirs = both(
        len(unread) // FILES_PER_UNIT if halves else 0,
        lambda: _compared([files[i] for i in unread[:cut]]),
        lambda: _compared([files[i] for i in unread[cut:]]),
    )
    found = [None if look is None else look[0] for look in looks]
    for index, same in zip(unread, mine + theirs, strict=True):
        if not same:
            found[index] = None
    return found


def _compared(files: list[tuple[str, str]]) -> list[bool]:
    return [_holds(file, digest) for file, digest in files]


def _holds(file: str, digest: str) -> bool:
    """Whether the regular file ``file`` holds those bytes (read as ``_intact`` reads it: one
    turned into a symlink or a FIFO since its ``lstat`` is not as written)."""
    found = read_regular(file)
    return found is not None and hashlib.sha256(found[0]).hexdigest() == digest
