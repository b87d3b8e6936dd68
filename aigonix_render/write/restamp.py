"""Giving the marker a newer status-change time once a no-op has checked the files by hash.

A no-op render trusts, unread, each owned file whose ctime is older than the marker's
(``marker.up_to_date``). A hard-linked copy of OUT, a backup restored, ``chmod -R`` or a
checkout that wrote the marker before the files leaves them newer: every no-op would hash
all of them again. Once one no-op has hashed them and found each as written, the marker is
stamped anew, so the next one trusts them again.

The stamp comes after the hashes; a file edited between its hash and the stamp would be
trusted unread ever after. So every hashed file is looked at again after the stamp: one
whose ctime moved since its hash gets a newer one still (``chmod`` to its own mode), and the
next run hashes it. Only files the user running the render owns are stamped (only their
owner can move their ctime that way); with any other, nothing is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import MARKER, Marker, Unread, hashed_files

HASHED_ENOUGH = 64
"""Fewer hashed files than this are cheaper to hash again than to restamp for."""


def up_to_date_restamped(out: Path, inputs: TreeInputs, marker: Marker | Unread | None) -> bool:
    """``marker.up_to_date``, for a run that holds OUT's lock: the marker is stamped anew
    when many files had to be hashed to know it."""
    hashed = hashed_files(out, inputs, marker)
    if hashed is None:
        return False
    restamp(str(out / MARKER), hashed)
    return True


def restamp(marker: str, hashed: Mapping[str, int]) -> None:
    """``hashed``: each file a no-op found as written by its hash, with its ctime then."""
    if len(hashed) < HASHED_ENOUGH or not _owned(hashed):
        return
    time.sleep(0.01)  # file times tick coarsely: be sure "newer" is visible
    os.utime(marker)
    for path, ctime in hashed.items():
        try:
            status = os.lstat(path)
            if status.st_ctime_ns != ctime:
                os.chmod(path, status.st_mode & 0o7777)
        except OSError:
            continue  # gone: the next run finds it missing


def _owned(hashed: Mapping[str, int]) -> bool:
    user = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        return user is not None and all(os.lstat(path).st_uid == user for path in hashed)
    except OSError:
        return False
