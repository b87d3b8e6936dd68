"""An advisory lock on a folder: one writer at a time, no lock file, released by the system
when the process ends, however it ends.

``set`` locks the tree's root, ``import`` the folder that holds TREE. Where the system has no
``flock`` (Windows), or the file system has no locks (some network ones), there is no lock,
and the caller's own checks (a file changed meanwhile, a staging folder of its own) remain.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.foundation.errors import AigonixError

_POLL_SECONDS = 0.02


@contextmanager
def folder_lock(folder: Path, busy: Callable[[], AigonixError], wait: float = 0.0) -> Iterator[bool]:
    """Hold ``folder``'s lock while the block runs; yields whether it is held. Another holder
    is waited for up to ``wait`` seconds, then ``busy()`` is raised. A folder that cannot be
    opened is not locked: what reads it says what is wrong with it."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield False
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        yield _acquire(descriptor, fcntl.flock, fcntl.LOCK_EX | fcntl.LOCK_NB, busy, wait)
    finally:
        os.close(descriptor)  # closing the folder releases the lock


def _acquire(
    descriptor: int,
    flock: Callable[[int, int], None],
    flags: int,
    busy: Callable[[], AigonixError],
    wait: float,
) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            flock(descriptor, flags)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise busy() from None
            time.sleep(_POLL_SECONDS)
        except OSError:  # a file system without locks
            return False
