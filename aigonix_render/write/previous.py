"""What OUT holds now, read without following a symlink: a regular file's bytes and ctime.

A symlink, a folder or nothing at a path is never read: it is not a file aigonix-render
wrote. ``marker`` and ``plan`` read the previous output through these.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aigonix_render.foundation import read_bytes


def read_previous(out: Path, relative: str) -> bytes | None:
    """The bytes of the regular file OUT holds at ``relative``; None for nothing, or for
    anything else there (a symlink is never followed: it is not a file aigonix-render wrote)."""
    found = regular_file(os.path.join(out, relative))
    return None if found is None else found[0]


def regular_file(path: str) -> tuple[bytes, int] | None:
    """The bytes and ctime of the regular file at ``path`` (a symlink is not followed)."""
    try:
        status = os.lstat(path)
        return (read_bytes(path), status.st_ctime_ns) if stat.S_ISREG(status.st_mode) else None
    except OSError:
        return None
