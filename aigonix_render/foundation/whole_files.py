"""A whole file's bytes with the fewest system calls Python allows: ``os.open``, one
``fstat``, a read of the size it gives and one that finds the end. ``open(path,
"rb").read()`` costs twice as much per file (a buffered reader, its own checks), which
counts over the 23,000 files of a large OUT that a render looks at after a checkout."""

from __future__ import annotations

import os
import stat

_CHUNK = 1 << 16
"""What is read at a time of a file that grew after its ``fstat``."""


OPEN_REGULAR = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
)
"""How a file that must be a regular one is opened: never through a symlink, never waiting
on a FIFO, never taking a terminal; its ``fstat`` then says what it is."""


def read_regular(path: str) -> tuple[bytes, int] | None:
    """The bytes and the status-change time (ns) of the regular file at ``path``; None for
    anything else there (a symlink, a FIFO, a folder, nothing) or a file that cannot be read."""
    try:
        descriptor = os.open(path, OPEN_REGULAR)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return None
        return read_open(descriptor, status.st_size), status.st_ctime_ns
    except OSError:
        return None
    finally:
        os.close(descriptor)


def read_open(descriptor: int, size: int) -> bytes:
    """The rest of the open file ``descriptor`` whose ``fstat`` gave ``size``: one read of it
    all, and one that finds the end (more, when it grew meanwhile)."""
    chunks = [os.read(descriptor, size + 1)]
    while chunks[-1]:
        chunks.append(os.read(descriptor, _CHUNK))
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)
