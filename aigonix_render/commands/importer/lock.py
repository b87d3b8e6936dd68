"""One import beside a TREE at a time: an advisory ``flock`` on TREE's parent folder.

TREE itself may not exist until the import renames its staging folder into place, so the
lock is on the folder that holds both; it writes no lock file, and the system releases it
when the process ends, however it ends. A second import is refused at once (exit 3), not
made to wait: it would find TREE written by the first and be refused anyway, unless
``--force``d, and then one would silently replace the other's tree.

Where the system has no ``flock`` (Windows) or the file system has no locks, there is no
lock: each import still stages in a folder of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.commands.importer.errors import ImportBusy


@contextmanager
def parent_lock(tree: Path) -> Iterator[bool]:
    """Hold the lock of TREE's parent (which must exist) while the block runs; yields
    whether the lock is held (False where there are no locks)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield False
        return
    try:
        descriptor = os.open(tree.parent, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        yield _take(descriptor, fcntl.flock, fcntl.LOCK_EX | fcntl.LOCK_NB, tree)
    finally:
        os.close(descriptor)  # closing the folder releases the lock


def _take(descriptor: int, flock: Callable[[int, int], None], flags: int, tree: Path) -> bool:
    try:
        flock(descriptor, flags)
    except BlockingIOError:
        raise ImportBusy(
            f"another aigonix-render import is writing in {tree.parent}; try again when it has finished"
        ) from None
    except OSError:  # a file system without locks
        return False
    return True
