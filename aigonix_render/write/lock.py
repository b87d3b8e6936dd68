"""OUT's lock and its errors: one render into OUT at a time, and an operating-system error
while writing told as one line naming the place.

``check_writable`` refuses an OUT that is a file, or a folder with files aigonix-render did
not write (no ownership marker).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.foundation import OutputError
from aigonix_render.write.marker import MARKER, UNREAD, Marker, Unread, owned_files


def check_writable(out: Path, marker: Marker | Unread | None = UNREAD) -> None:
    """``marker``: OUT's marker when the caller has read it."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()) and owned_files(out, marker) is None:
        raise OutputError(
            f"{out} is not empty and was not written by aigonix-render (no {MARKER}); refusing to write into it"
        )


@contextmanager
def output_errors(out: Path) -> Iterator[None]:
    """An operating-system error while writing (a path under a regular file, a read-only or
    full disk, no permission) is the user's to fix: one line naming the place, exit 3."""
    try:
        yield
    except OSError as error:
        where = error.filename if error.filename is not None else out
        reason = error.strerror or type(error).__name__
        if isinstance(error, FileExistsError | NotADirectoryError):
            reason = "a file stands where a folder is needed"
        raise OutputError(f"cannot write the output directory {out}: {reason} ({where})") from None


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One render into ``out`` at a time (locked on its parent folder); a second is refused."""
    folder = out.parent
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = _open_lock(folder)
    try:
        try:
            _lock(descriptor)
        except BlockingIOError:
            raise OutputError(
                f"another aigonix-render is writing into {folder}; try again when it has finished"
            ) from None
        yield
    finally:
        os.close(descriptor)


def _open_lock(folder: Path) -> int:
    """The folder itself where it can be locked (POSIX); on Windows, which cannot open or
    lock a folder, the file ``.aigonix-render.lock`` in it."""
    if sys.platform == "win32":
        return os.open(folder / ".aigonix-render.lock", os.O_RDWR | os.O_CREAT, 0o644)
    return os.open(folder, os.O_RDONLY)


def _lock(descriptor: int) -> None:
    """An exclusive lock that fails at once when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError as error:  # held by another process (EACCES or EDEADLOCK)
            raise BlockingIOError(*error.args) from None
        return
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
