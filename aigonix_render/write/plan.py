"""The plan of a write: what the new files would add to, change in and remove from OUT.

A file of OUT counts as unchanged only when it is a regular file with the very bytes (a
symlink or a folder at a path is changed, whatever it points to); the owned files the
marker lists and the render no longer makes are removed.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from aigonix_render.foundation import OutputFile, read_regular, record
from aigonix_render.write.marker import owned_files


@record
class Plan:
    """What a write would change: paths relative to the output directory."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def paths(self) -> list[str]:
        return sorted((*self.added, *self.changed, *self.removed))


def plan(out: Path, files: list[OutputFile], kept: Collection[str] = ()) -> Plan:
    return compare(out, files, kept)[0]


def compare(
    out: Path, files: list[OutputFile], kept: Collection[str] = (), owned: set[str] | None = None
) -> tuple[Plan, dict[str, int]]:
    """The plan, and the status-change time (ctime) each unchanged file had when it was read:
    a file linked into the new OUT later must still have it (nothing wrote it since).
    ``kept``: files that stay as they are, unread (``reuse``); ``owned``: the marker's files
    (read from OUT when not given)."""
    if owned is None:
        owned = owned_files(out) or set()
    new = {f.path for f in files}.union(kept)
    added: list[str] = []
    changed: list[str] = []
    unchanged: dict[str, int] = {}
    for output in files:
        path = os.path.join(out, output.path)
        old = read_regular(path)
        if old is None:  # nothing there, or not a file of ours (a symlink, a folder)
            (changed if os.path.lexists(path) else added).append(output.path)
        elif old[0] != output.text.encode("utf-8"):
            changed.append(output.path)
        else:
            unchanged[output.path] = old[1]
    removed = sorted(owned - new)
    return Plan(tuple(sorted(added)), tuple(sorted(changed)), tuple(removed)), unchanged
