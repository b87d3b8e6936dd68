"""Problems are values: found by validation, reported at the end."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding at a position in an input file (``path`` relative to the root)."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity.value}: {self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Sorted by file, then line and column, without duplicates."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))


def has_errors(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)
