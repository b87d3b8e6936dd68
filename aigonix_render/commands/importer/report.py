"""The import report: every object and field the tree does not carry as it is, as values.

A line says what happened to one object or field: ``note`` for what is expected and
harmless (objects Kubernetes or cert-manager made, names the platform lost), ``warning``
for what the tree cannot express or changes (a hand edit, an unknown object, a field a
render removes), which the import refuses unless accepted (``accept``) and ``--strict``
refuses always; ``error`` for what stops the import (a name the tree refuses, a field of a
type kubectl never writes, a change not accepted). No line ever holds a value of a
Secret or of an environment variable: they may be secrets, wherever they were set.

``ReportLine.text`` is where every line is formatted, so it is where the text a line took
from the dump (a name, a label, a path) is escaped: a newline there would forge a line of
its own, an escape sequence would reach the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from aigonix_render.foundation import printable, record


class Level(Enum):
    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"


@record
class ReportLine:
    """``subject`` is an object (``Deployment/prod-orders``) or a tree place; ``path`` a
    field path in it (empty for the whole object); ``message`` what was kept or left."""

    subject: str
    path: str
    message: str
    level: Level = Level.WARNING

    def text(self) -> str:
        where = f"{self.subject} {self.path}" if self.path else self.subject
        return printable(f"{self.level.value}: {where}: {self.message}")


def note(subject: str, message: str, path: str = "") -> ReportLine:
    return ReportLine(subject, path, message, Level.NOTE)


def warning(subject: str, message: str, path: str = "") -> ReportLine:
    return ReportLine(subject, path, message, Level.WARNING)


def error(subject: str, message: str, path: str = "") -> ReportLine:
    return ReportLine(subject, path, message, Level.ERROR)


_RANK = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTE: 2}


def ordered(lines: Iterable[ReportLine]) -> tuple[ReportLine, ...]:
    """Errors first, then warnings, then notes; each group by subject, path and message; no line twice."""
    unique = set(lines)
    return tuple(sorted(unique, key=lambda line: (_RANK[line.level], line.subject, line.path, line.message)))


def warnings(lines: Iterable[ReportLine]) -> tuple[ReportLine, ...]:
    return tuple(line for line in lines if line.level is Level.WARNING)


def errors(lines: Iterable[ReportLine]) -> tuple[ReportLine, ...]:
    return tuple(line for line in lines if line.level is Level.ERROR)


def as_text(lines: Iterable[ReportLine]) -> str:
    """The report as the CLI prints it, one line each, and a closing count (errors only
    when there are some)."""
    listed = list(lines)
    body = "".join(line.text() + "\n" for line in listed)
    refused = len(errors(listed))
    notes = len(listed) - len(warnings(listed)) - refused
    counts = f"{len(warnings(listed))} warnings, {notes} notes"
    return body + "import report: " + (f"{refused} errors, " if refused else "") + counts + "\n"
