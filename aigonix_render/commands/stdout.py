"""Standard output whose failures are told apart from every other operating-system error.

``guard`` puts a text stream over standard output's buffer that turns a failed write or
flush into ``StdoutClosed`` (the reader went away: ``| head -1``; not an error) or
``StdoutFailed`` (``> /dev/full``: exit 3 with one line). Neither is an ``OSError``, so
click does not turn them into its own exit 1, and ``cli.main`` handles them once.
"""

from __future__ import annotations

import errno
import io
import os
import sys

from aigonix_render.foundation import AigonixError


class StdoutClosed(Exception):
    """The reader of standard output closed it: the command's output is no longer wanted."""


class StdoutFailed(AigonixError):
    """Standard output cannot be written (a full disk, an I/O error)."""


def _failure(error: OSError) -> Exception:
    if isinstance(error, BrokenPipeError) or error.errno in (errno.EPIPE, errno.EINVAL):
        return StdoutClosed()
    return StdoutFailed(f"cannot write standard output: {error.strerror or type(error).__name__}")


class _GuardedStdout(io.TextIOWrapper):
    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as error:
            raise _failure(error) from None

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            raise _failure(error) from None


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
    """After ``StdoutClosed``: whatever is still buffered goes nowhere, silently, so the
    interpreter's last flush finds nothing to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
