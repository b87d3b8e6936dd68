"""Two halves of a large job on both cores: the second in a forked child, the first here.

Loading, rendering and checking a large tree (``load.load_tree``, ``render.render_model``,
``check.check_rendering``) is pure Python and splits into independent parts (applications,
application environments, objects); one process uses one core. ``in_two`` forks (on Linux only: macOS's system libraries are not
safe to use in a child forked without exec), lets the child compute the second
half and send it back pickled through a pipe, computes the first half meanwhile, and
returns both: the caller joins them in its own order, so the result is the one a single
process gets. Forking costs a few hundredths of a second and the child's result crosses a
pipe, so callers fork only above a size (``worth_forking``): small trees and the
pre-commit hook never do.

Nothing is lost to a failure: a child that cannot be forked, dies or sends nothing has its
half computed here; an exception in it is raised here, as if computed here. Ctrl-C reaches
both processes (one process group); the child is killed and reaped before the
``KeyboardInterrupt`` goes on. The child never returns into the caller's code: it leaves
with ``os._exit``, flushing nothing of the parent's buffers and running no exit handler.
"""

from __future__ import annotations

import io
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar, cast

_A = TypeVar("_A")
_B = TypeVar("_B")

FORK_FROM = 400
"""The size (microservice environments) from which a job is worth a child: at N=1000
(3,000) both cores halve a second of rendering and checking; below a few hundred the fork
and the pipe would cost about what the second core saves."""

FILES_PER_UNIT = 8
"""Rendered files (objects) per microservice environment, about: jobs over files (checking
rendered objects, hashing output files) count in those units (``worth_forking``)."""

_enabled = hasattr(os, "fork") and sys.platform.startswith("linux")


def worth_forking(size: int) -> bool:
    """Whether a job of ``size`` is split over two processes."""
    return _enabled and size >= FORK_FROM


def split_at(weights: Sequence[int], share: float) -> int:
    """Where the child's run of parts starts: after the first parts that weigh more than
    ``share`` of all (the parent keeps a little less than half when it also joins the
    halves and does work of its own)."""
    part, total = 0, sum(weights) * share
    for index, weight in enumerate(weights):
        part += weight
        if part > total:
            return index
    return len(weights)


def both(size: int, first: Callable[[], _A], second: Callable[[], _B]) -> tuple[_A, _B]:
    """``(first(), second())``: on two cores (``in_two``) when a job of ``size`` is worth it."""
    return in_two(first, second) if worth_forking(size) else (first(), second())


def if_first(size: int, first: Callable[[], bool], second: Callable[[], _B]) -> _B | None:
    """``second()`` if ``first()`` is true, else None; when a job of ``size`` is worth it,
    ``second`` is computed by a forked child while ``first`` runs, and the child is killed
    as soon as ``first`` is false (its work is not needed)."""
    started = _start(second) if worth_forking(size) else None
    if started is None:
        return second() if first() else None
    reader, child = started
    try:
        needed = first()
    except BaseException:
        _end(child, reader)
        raise
    if not needed:
        _end(child, reader)
        return None
    return _parent(reader, child, lambda: None, second)[1]


@contextmanager
def ahead(size: int, work: Callable[[], _B]) -> Iterator[Callable[[], _B] | None]:
    """``work`` started now in a forked child, when a job of ``size`` is worth it, while this
    process goes on; the function given returns its result (waiting for it then; computed
    here if the child failed). None when no child was started. Leaving the block ends a
    child whose result was not asked for."""
    started = _start(work) if worth_forking(size) else None
    if started is None:
        yield None
        return
    outcome: list[tuple[bool, Any]] = []  # (True, the result) or (False, what it raised)

    def result() -> _B:
        nonlocal started
        if not outcome:
            if started is None:
                raise RuntimeError("the work ahead was ended before its result was asked for")
            reader, child = started
            started = None
            try:
                outcome.append((True, _parent(reader, child, lambda: None, work)[1]))
            except BaseException as error:
                outcome.append((False, error))
        done, value = outcome[0]
        if not done:
            raise value
        return cast(_B, value)

    try:
        yield result
    finally:
        if started is not None:
            reader, child = started
            started = None
            _end(child, reader)


def in_two(first: Callable[[], _A], second: Callable[[], _B]) -> tuple[_A, _B]:
    """``(first(), second())``, the second computed in a forked child meanwhile."""
    started = _start(second)
    if started is None:
        return first(), second()
    reader, child = started
    return _parent(reader, child, first, second)


def _start(second: Callable[[], Any]) -> tuple[int, int] | None:
    """The read end of a pipe and a child forked to compute ``second`` and send it there;
    None when no child can be forked (nothing is left open). Ctrl-C is held back across
    the fork (for this thread: the command line has no other when it forks): it arrives
    once the child is known, so the child is always ended with it."""
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        child = os.fork()
    except BaseException as error:
        os.close(reader)
        os.close(writer)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if not isinstance(error, OSError):
            raise
        return None
    if child == 0:
        _child(reader, writer, second, held)
    os.close(writer)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back is raised here
    except BaseException:
        _end(child, reader)
        raise
    return reader, child


def _child(reader: int, writer: int, second: Callable[[], Any], held: Iterable[int]) -> None:
    """Compute, send, leave: whatever happens, never return."""
    code = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reader)
        try:
            sent = pickle.dumps((True, second()), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # raised again in the parent
            sent = _failure(error)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(len(sent).to_bytes(8, "little"))
            pipe.write(sent)
        code = 0
    finally:
        os._exit(code)


def _failure(error: BaseException) -> bytes:
    """The child's exception, pickled; b"" (compute it again in the parent) when it cannot be."""
    try:
        return pickle.dumps((False, error), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle
        return b""


def _parent(reader: int, child: int, first: Callable[[], _A], second: Callable[[], _B]) -> tuple[_A, _B]:
    done = False
    try:
        mine = first()
        reading, reader = reader, -1  # _receive closes it, whatever happens
        received = _receive(reading)
        os.waitpid(child, 0)
        done = True
    finally:
        if not done:
            _end(child, reader)
    if not received:
        return mine, second()  # the child died or its exception does not pickle
    ok, value = pickle.loads(received)
    if not ok:
        raise value
    return mine, value


def _receive(reader: int) -> bytearray:
    """What the child sent: its length first, then the bytes, read into one buffer (the
    half of a rendering is tens of megabytes); empty when the child sent nothing whole."""
    with io.FileIO(reader, "rb") as pipe:
        head = _read_exactly(pipe, 8)
        return _read_exactly(pipe, int.from_bytes(head, "little")) if len(head) == 8 else bytearray()


def _read_exactly(pipe: io.FileIO, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        count = pipe.readinto(view[got:])
        if not count:
            return bytearray()
        got += count
    return buffer


def _end(child: int, reader: int) -> None:
    """Kill and reap the child after an exception here (Ctrl-C among them)."""
    if reader >= 0:
        os.close(reader)
    with suppress(OSError):
        os.kill(child, signal.SIGKILL)
    with suppress(OSError):
        os.waitpid(child, 0)
