"""The one way a file is replaced on disk: whole or not at all.

A reader (another process, the next run, a crash) sees the old bytes or the new, never half
of them: the new bytes go to a temporary file of their own (``O_EXCL``, named after this
process and thread), which is renamed over the target. The callers differ only in options:

- an edited file of the user's (``set``): the temporary file beside it, the file's mode
  kept, made durable (fsync of the file and of its folder);
- a file moved into OUT (the marker): the temporary file in the staging folder the caller
  owns, so OUT never holds a stray one, and ``recover`` removes what a crash leaves;
- a cache entry: ``best_effort``, private (0600), not fsynced; a failure only costs the
  cache, so it returns False instead of raising.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

NEW_FILE_MODE = 0o644


def replace_file(
    path: Path | str,
    content: bytes,
    *,
    staging: Path | str | None = None,
    mode: int | None = None,
    best_effort: bool = False,
) -> bool:
    """Replace ``path`` with ``content`` atomically; True when it was replaced.

    ``staging``: the folder the temporary file is written in (default: beside ``path``).
    ``mode``: the new file's mode (default: the mode of the file it replaces, else 0644).
    ``best_effort``: a cache entry: never raises ``OSError``, is not fsynced."""
    target = os.fspath(path)
    folder = os.fspath(staging) if staging is not None else os.path.dirname(target) or "."
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.{threading.get_ident()}")
    try:
        _write_new(temporary, content, _mode_for(target, mode), durable=not best_effort)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if best_effort:
            return False
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if not best_effort:
        fsync_dir(os.path.dirname(target) or ".")
    return True


def _mode_for(target: str, mode: int | None) -> int | None:
    """The mode to give the new file exactly; None: 0644 less the umask, as any new file."""
    if mode is not None:
        return mode
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return None


def _write_new(path: str, content: bytes, mode: int | None, durable: bool) -> None:
    """A new file (never an existing one or a planted symlink) holding ``content``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, NEW_FILE_MODE if mode is None else mode)
    try:
        if mode is not None and hasattr(os, "fchmod"):  # exactly this mode, the umask aside
            os.fchmod(descriptor, mode)
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view) :]
        if durable:
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def fsync_dir(folder: Path | str) -> None:
    """Make a rename inside ``folder`` durable (where the system can: not on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except (PermissionError, IsADirectoryError):  # Windows opens no folder
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
