"""The small words of the command line: counts with the right noun, and the progress line.

``counted(1, "Secret")`` is "1 Secret", ``counted(2, "Secret")`` "2 Secrets". The progress
line shows a long render's phase on a terminal: one line rewritten in place with an escape
code, or, where escape codes are unwelcome (``NO_COLOR`` set, ``TERM=dumb``), one plain
line per phase.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless ``count`` is 1."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def plain_terminal(environ: Mapping[str, str] = os.environ) -> bool:
    """No escape codes: ``NO_COLOR`` is set to anything but empty, or ``TERM`` is dumb."""
    return bool(environ.get("NO_COLOR")) or environ.get("TERM") == "dumb"


class Progress:
    """The phase of a long render on stderr, when it is a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, plain: bool, write: Callable[[str], None]) -> None:
        self.enabled = enabled
        self.plain = plain
        self.write = write
        self.shown = False

    def show(self, phase: str) -> None:
        if not self.enabled:
            return
        self.write(f"aigonix-render: {phase}…\n" if self.plain else f"\r\x1b[Kaigonix-render: {phase}…")
        self.shown = True

    def clear(self) -> None:
        if self.shown and not self.plain:
            self.write("\r\x1b[K")
