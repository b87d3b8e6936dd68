"""Standard output whose failures are told apart from every other operating-system error.

``guard`` puts a text stream over standard output's buffer. When the reader goes away
(``| head -1``), the rest of the output is dropped, silently, and the command goes on to
its own verdict: ``render --check | head -1`` on a stale OUT still exits 1, so a CI step
with ``pipefail`` fails as it should. Any other failed write or flush is ``StdoutFailed``
(``> /dev/full``: exit 3 with one line); it is no ``OSError``, so click does not turn it
into its own exit 1, and ``cli.main`` handles it once.
"""

from __future__ import annotations

import errno
import io
import os
import sys

from aigonix_render.foundation import AigonixError


class StdoutFailed(AigonixError):
    """Standard output cannot be written (a full disk, an I/O error)."""


def _reader_gone(error: OSError) -> bool:
    return isinstance(error, BrokenPipeError) or error.errno in (errno.EPIPE, errno.EINVAL)


def _failure(error: OSError) -> StdoutFailed:
    return StdoutFailed(f"cannot write standard output: {error.strerror or type(error).__name__}")


class _GuardedStdout(io.TextIOWrapper):
    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as error:
            if not _reader_gone(error):
                raise _failure(error) from None
            discard()
            return len(text)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            if not _reader_gone(error):
                raise _failure(error) from None
            discard()


def guard() -> None:
    """Put the guarded stream in place of ``sys.stdout`` (a real stream only)."""
    stream = sys.stdout
    if type(stream) is not io.TextIOWrapper:
        return
    stream.flush()
    encoding, errors, line_buffering = stream.encoding, stream.errors, stream.line_buffering
    buffer = stream.detach()
    sys.stdout = _GuardedStdout(buffer, encoding, errors, None, line_buffering, True)


def discard() -> None:
    """Once the reader is gone (or standard output failed): whatever is still buffered or
    written later goes nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
