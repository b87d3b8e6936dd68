"""One edit of a tree at a time: ``set`` reads, checks and replaces a file under this lock.

Without it, two ``set`` on one file at once each read the old text, and the second rename
silently drops the first edit while both exit 0. The lock is an advisory ``flock`` on the
tree's root folder itself, so it writes nothing into the tree (no lock file in ``git
status``) and is released by the system when the process ends, however it ends. A second
``set`` waits for the first; one that holds the lock longer than ``WAIT_SECONDS`` is
reported (exit 3) instead of waited for without end.

Where the system has no ``flock`` (Windows), there is no lock: the check just before the
rename still refuses to overwrite a file that changed since it was read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.foundation import AigonixError, folder_lock

WAIT_SECONDS = 60.0


class TreeBusy(AigonixError):
    """Another ``set`` holds the tree's lock for too long (exit 3, an outside reason)."""


@contextmanager
def tree_lock(root: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the tree's edit lock while the block runs; waits up to ``wait`` seconds for it."""

    def busy() -> TreeBusy:
        return TreeBusy(
            f"another aigonix-render set has been editing {root} for {wait:g} s; try again when it has finished"
        )

    with folder_lock(root, busy, wait):
        yield
