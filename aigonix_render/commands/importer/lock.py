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

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.commands.importer.errors import ImportBusy
from aigonix_render.foundation import folder_lock


@contextmanager
def parent_lock(tree: Path) -> Iterator[bool]:
    """Hold the lock of TREE's parent (which must exist) while the block runs; yields
    whether the lock is held (False where there are no locks)."""

    def busy() -> ImportBusy:
        return ImportBusy(
            f"another aigonix-render import is writing in {tree.parent}; try again when it has finished"
        )

    with folder_lock(tree.parent, busy) as held:
        yield held
