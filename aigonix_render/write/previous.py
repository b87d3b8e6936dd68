"""What OUT holds now, read without following a symlink: a regular file's bytes and ctime.

A symlink, a folder or nothing at a path is never read: it is not a file aigonix-render
wrote (``foundation.read_regular``, which ``plan`` and ``intact`` use too).
"""

from __future__ import annotations

import os
from pathlib import Path

from aigonix_render.foundation import read_regular


def read_previous(out: Path, relative: str) -> bytes | None:
    """The bytes of the regular file OUT holds at ``relative``; None for nothing, or for
    anything else there (a symlink is never followed: it is not a file aigonix-render wrote)."""
    found = read_regular(os.path.join(out, relative))
    return None if found is None else found[0]
