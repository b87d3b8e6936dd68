"""Which changes to the platform's objects the user accepted (``--accept``).

Every warning of the report is a change: an object or field the platform made that the
tree leaves out or the render changes (or adds, or a hand edit it moves), so that the first
sync would change the namespace. Notes are not: what Kubernetes or cert-manager made (left
out as it was never the platform's), the render's own labels, the retention annotations,
a Secret's ``sealed-from`` fingerprint. An import writes nothing while a change is not
accepted: by ``--accept SUBJECT`` (the line's subject, ``Kind/name`` for an object, a
shell pattern such as ``Ingress/prod-*`` allowed; repeatable) or ``--accept-all-changes``.
A change not accepted becomes an error line that says how to accept it.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from aigonix_render.commands.importer.report import Level, ReportLine
from aigonix_render.foundation import replace


def accepted(line: ReportLine, patterns: Iterable[str]) -> bool:
    """Whether one of ``patterns`` names the line's subject."""
    return any(fnmatchcase(line.subject, pattern) for pattern in patterns)


def refuse_unaccepted(
    lines: Iterable[ReportLine], patterns: tuple[str, ...], accept_all: bool
) -> tuple[ReportLine, ...]:
    """``lines`` with each warning no pattern accepts made an error that says so."""
    return tuple(
        _refused(line)
        if line.level is Level.WARNING and not accept_all and not accepted(line, patterns)
        else line
        for line in lines
    )


def _refused(line: ReportLine) -> ReportLine:
    message = f"{line.message} (not accepted: --accept {line.subject} or --accept-all-changes)"
    return replace(line, message=message, level=Level.ERROR)
