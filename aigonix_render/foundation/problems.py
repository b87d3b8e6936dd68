"""Problems are values: found by validation, reported at the end."""

from __future__ import annotations

from enum import Enum

from aigonix_render.foundation.records import record


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@record(order=True)
class Problem:
    """One finding at a position in an input file (``path`` relative to the root).

    ``file`` and ``message`` are made printable here, the one place every problem passes
    through: a file name may hold a newline (which would forge a line of its own in a CI
    log), an escape sequence, or bytes that are not UTF-8 (which no report could print).
    """

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", printable(self.file))
        object.__setattr__(self, "message", printable(self.message))

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity.value}: {self.message}"


def printable(text: str) -> str:
    """``text`` with every character that does not print escaped as Python writes it
    (``\\n``, ``\\x1b``, ``\\u202e``); a byte that was not UTF-8 (kept by the file
    system's surrogate escape) shows as that byte, ``\\xff``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return character.encode("unicode_escape").decode("ascii")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Sorted by file, then line and column, without duplicates."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))


def has_errors(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)
