"""Stage 1, load: reading one file of the tree under limits, or the ``Problem`` that stops it.

``read_file`` gives a regular file's bytes up to a size limit (``TooLarge`` above it),
refusing bytes that hold a private key (``secret_keys``), so no file of the tree, however
reached, passes a key on;
``read_text`` an ``aigonix.yaml``'s text, refusing a symlink leading outside the
repository, a huge file, a byte-order mark and what is not UTF-8. A FIFO, a device, a
file changed or deleted during the run: each is a problem in fixed words (``cannot_read``
never quotes the path or text an error holds), never a hang or a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from aigonix_render.foundation import Problem, record, tree_relative
from aigonix_render.load.secret_keys import private_key

MAX_FILE_BYTES = 1024 * 1024
NOT_REGULAR = "not a regular file"


@record
class TooLarge:
    """A file over the size limit, left unread; ``size`` is what it holds."""

    size: int


def read_file(path: Path, name: str, limit: int) -> bytes | TooLarge | Problem:
    """The bytes of the regular file at ``path`` (``name`` in problems), if at most ``limit``.

    Bytes that hold a private key are an error where the key starts. Checked before it is
    opened and again once open: a FIFO or a device would block or never
    end, a huge file would fill the memory, and the tree may change during the run (a file
    deleted or made unreadable meanwhile is a problem, never a traceback). Read with plain
    system calls in a buffer of the file's size: Python's file objects cost five more calls
    and a buffer of ``limit`` per file, a third of ``validate``'s system time.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return Problem(name, 1, 1, NOT_REGULAR)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return _read_open(descriptor, name, limit)
        finally:
            os.close(descriptor)
    except OSError as error:
        return Problem(name, 1, 1, cannot_read(error))


def _read_open(descriptor: int, name: str, limit: int) -> bytes | TooLarge | Problem:
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        return Problem(name, 1, 1, NOT_REGULAR)
    if info.st_size > limit:
        return TooLarge(info.st_size)
    data = _read_up_to(descriptor, info.st_size, limit)
    if len(data) > limit:
        return TooLarge(len(data))
    return _refused_content(data, name) or data


def _refused_content(data: bytes, name: str) -> Problem | None:
    """The error at the start of a private key in ``data``, worded without the key."""
    found = private_key(data)
    if found is None:
        return None
    line, column = offset_position(data, found.offset)
    return Problem(name, line, column, f"{_HOLDS_A_KEY} ({found.kind}){_NEVER_PUBLISHED}")


_HOLDS_A_KEY = "holds a private key"
_NEVER_PUBLISHED = ": private keys are never read as input; keep them out of the tree"


def _read_up_to(descriptor: int, size: int, limit: int) -> bytes:
    """The file's bytes, but never more than ``limit + 1``: one byte more tells a file that
    grew since it was measured at ``size``."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(descriptor, size + 1 - total if total <= size else limit + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def cannot_read(error: OSError) -> str:
    """Why a file or folder could not be read, without the path or text the error may hold."""
    if isinstance(error, FileNotFoundError):
        return "not found: a symlink to nothing, or deleted during the run"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    if error.errno == errno.ELOOP:
        return "a symlink loop"
    return f"cannot be read: {error.strerror or type(error).__name__}"


def inside_root(root: Path, path: str | Path) -> bool:
    """Whether ``path``, symlinks followed, stays inside ``root`` (which is resolved)."""
    return tree_relative(root, path) is not None


_OUTSIDE = "a symlink leading outside the repository: the tree must be self-contained"
_TOO_LARGE = f"larger than {MAX_FILE_BYTES // 1024} KiB: not an aigonix.yaml this tool reads"


def read_text(root: Path, name: str) -> str | Problem:
    """The file as text, refusing what no aigonix.yaml can be: huge, BOM, not UTF-8."""
    path = os.path.join(root, name)
    if os.path.islink(path) and not inside_root(root, path):
        return Problem(name, 1, 1, _OUTSIDE)
    raw = read_file(Path(path), name, MAX_FILE_BYTES)
    if isinstance(raw, TooLarge):
        return Problem(name, 1, 1, _TOO_LARGE)
    if isinstance(raw, Problem):
        return raw
    if raw.startswith(b"\xef\xbb\xbf"):
        return Problem(name, 1, 1, "starts with a byte-order mark: save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = offset_position(raw, error.start)
        return Problem(name, line, column, "not valid UTF-8")


def offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, offset - line_start + 1
