"""Giving the marker a newer status-change time once a no-op has checked the files by hash.

A no-op render trusts, unread, each owned file whose ctime is older than the marker's
(``marker.up_to_date``). A hard-linked copy of OUT, a backup restored, ``chmod -R`` or a
checkout that wrote the marker before the files leaves them newer: every no-op would hash
all of them again. Once one no-op has hashed them and found each as written, the marker is
stamped anew, so the next one trusts them again.

What must never follow: a file whose bytes differ from the marker's hash, trusted unread.
So the stamp is given only when every hashed file changed well before this run began (file
times tick coarsely, up to seconds on some file systems: an edit after the hash must show
as another ctime), only to the marker that was read (not one put there meanwhile), and
after it every file the marker lists is looked at again: any that changed since the old
stamp and is not a hashed file with the ctime it had then (one trusted by its ctime and
edited meanwhile, one edited after its hash) gets a newer ctime still (``chmod`` to its own
mode, through a descriptor, never a symlink's target), and the next run hashes it. Only the
user's own files are trusted by their ctime (``intact.TIMES_OF``), so each such file is one
the user can give a newer ctime.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.intact import TIMES_OF
from aigonix_render.write.known import RACY_NS
from aigonix_render.write.marker import MARKER, Checked, Marker, Unread, given, hashed_files

HASHED_ENOUGH = 64
"""Fewer hashed files than this are cheaper to hash again than to restamp for."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def up_to_date_restamped(out: Path, inputs: TreeInputs, marker: Marker | Unread | None) -> bool:
    """``marker.up_to_date``, for a run that holds OUT's lock: the marker is stamped anew
    when many files had to be hashed to know it."""
    marker = given(out, marker)
    started = time.time_ns()
    checked = hashed_files(out, inputs, marker)
    if checked is None or marker is None:
        return False
    restamp(out, (f"{out}/{path}" for path in marker.files), checked, started)
    return True


def restamp(out: Path, listed: Iterable[str], checked: Checked, started: int) -> None:
    """``listed``: every file the marker lists; ``started``: when the check began."""
    hashed = checked.hashed
    if len(hashed) < HASHED_ENOUGH or TIMES_OF is None:
        return
    if max(hashed.values()) >= started - RACY_NS:
        return  # changed so recently that an edit after its hash could keep its ctime
    if not _stamp(out / MARKER, checked.written):
        return
    for file in listed:
        try:
            ctime = os.lstat(file).st_ctime_ns
        except FileNotFoundError:
            continue  # the next run finds it missing
        if ctime >= checked.written and hashed.get(file) != ctime:
            _bump(file)


def _stamp(marker: Path, written: int) -> bool:
    """A newer ctime for the marker, when it is still the one read."""
    try:
        descriptor = os.open(marker, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return False
    try:
        if os.fstat(descriptor).st_ctime_ns != written:
            return False
        time.sleep(0.01)  # file times tick coarsely: be sure "newer" is visible
        os.utime(descriptor)
        return True
    finally:
        os.close(descriptor)


def _bump(file: str) -> None:
    """A newer ctime for ``file``, so that the next run hashes it."""
    try:
        descriptor = os.open(file, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return
    except OSError as error:
        if error.errno == errno.ELOOP:
            return  # a symlink now: never trusted (``intact.intact_files``)
        _bump_unreadable(file)
        return
    try:
        status = os.fstat(descriptor)
        if stat.S_ISREG(status.st_mode):
            os.fchmod(descriptor, stat.S_IMODE(status.st_mode))
    finally:
        os.close(descriptor)


def _bump_unreadable(file: str) -> None:
    """The user's own file that they cannot read (mode 000): by its path. One removed or
    replaced meanwhile needs nothing: the next run finds it missing or not a file."""
    try:
        status = os.lstat(file)
        if stat.S_ISREG(status.st_mode) and status.st_uid == TIMES_OF:
            os.chmod(file, stat.S_IMODE(status.st_mode))
    except FileNotFoundError:
        return
