"""What ``diff --base`` found: the values ``review`` returns and ``review_format`` shows.

A ``Change`` is one object rendered differently at REF and now (``+`` added, ``~`` changed,
``-`` removed), a ``Section`` the changes of one output folder, and a ``Review`` all of them
with the revision they are compared against.
"""

from __future__ import annotations

from aigonix_render.foundation import Problem, record

ADDED, CHANGED, REMOVED = "+", "~", "-"


@record
class Change:
    """One object rendered differently at REF and now; a Secret carries no text."""

    mark: str
    kind: str
    name: str
    path: str
    before: str | None
    after: str | None
    secret: bool = False

    @property
    def line(self) -> str:
        hidden = " (values not shown)" if self.secret else ""
        return f"{self.mark} {self.kind} {self.name}{hidden}"


@record
class Section:
    """The changes of one output folder: ``<app>/<env>``, ``<app>/_shared``, ``_delivery/...``."""

    folder: str
    changes: tuple[Change, ...]

    def count(self, mark: str) -> int:
        return sum(1 for change in self.changes if change.mark == mark)

    @property
    def counts(self) -> str:
        added, changed, removed = (self.count(mark) for mark in (ADDED, CHANGED, REMOVED))
        return f"{added} added, {changed} changed, {removed} removed"

    @property
    def summary(self) -> str:
        return f"{self.folder}: {self.counts}"


@record
class Review:
    """The rendered output of ``base`` (resolved to ``commit``) against the tree now.

    ``note`` says why the base counts as empty (it did not validate, or ROOT did not
    exist there); ``problems`` are the current tree's warnings (its errors raise).
    """

    base: str
    commit: str
    sections: tuple[Section, ...]
    note: str | None
    problems: tuple[Problem, ...]

    @property
    def changed(self) -> bool:
        return bool(self.sections)

    @property
    def since(self) -> str:
        return f"{self.base} ({self.commit[:12]})"
