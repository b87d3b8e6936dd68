"""Where a command runs: the tree's root found by walking up, as git finds its work tree,
and the paths a report shows, relative to the current folder or the repository's top.

The walk reads only the ``kind:`` line of each ``aigonix.yaml`` it passes (the first
kilobytes of the file), so finding the root costs a few small reads. It stops at the top of
the git work tree it starts in (a folder holding ``.git``), or at the filesystem root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from aigonix_render.foundation import MANIFEST, UsageError, record

ROOT_KIND = "Customer"
_HEAD_BYTES = 16384
_KIND = re.compile(r"""^kind:[ \t]*(["']?)([A-Za-z]+)\1[ \t]*(?:#.*)?$""", re.MULTILINE)


def manifest_kind(folder: Path) -> str | None:
    """The top-level ``kind`` of ``folder/aigonix.yaml`` read cheaply; None when there is no
    such file or no ``kind:`` line at its start."""
    try:
        with open(folder / MANIFEST, "rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    found = _KIND.search(head)
    return found.group(2) if found else None


def find_root(start: Path) -> Path:
    """The nearest folder, ``start`` or one above it, whose ``aigonix.yaml`` is of kind
    Customer; the walk ends at the git work tree's top or the filesystem root.

    When none is found and ``start`` holds an ``aigonix.yaml``, ``start`` is the root (its
    loading then says what is wrong with that file); otherwise a usage error."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if manifest_kind(folder) == ROOT_KIND:
            return folder
        if (folder / ".git").exists():
            break
    if (start / MANIFEST).is_file():
        return start
    raise UsageError(
        f"no aigonix.yaml of kind: {ROOT_KIND} in {start} or a folder above it: "
        "run inside a tree, or give its ROOT"
    )


def repository_top(start: Path) -> Path | None:
    """The top of the git work tree holding ``start`` (the nearest folder with ``.git``)."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if (folder / ".git").exists()), None)


@record
class Places:
    """The resolved root of the tree, the current folder, and the repository's top."""

    root: Path
    cwd: Path
    top: Path | None

    @classmethod
    def of(cls, root: Path) -> Places:
        resolved = root.resolve()
        return cls(resolved, Path.cwd().resolve(), repository_top(resolved))

    def shown(self, relative: str) -> str:
        """A root-relative path as a person reads it: relative to the current folder when
        the tree and the current folder hold one another (``../../aigonix.yaml`` inside a
        microservice's folder); relative to the root, as before, when they are apart."""
        if relative.startswith("/") or not (
            self.cwd.is_relative_to(self.root) or self.root.is_relative_to(self.cwd)
        ):
            return relative
        return os.path.relpath(self.root / relative, self.cwd)

    def annotated(self, relative: str) -> str:
        """A root-relative path as GitHub places annotations: relative to the repository's
        top; outside git, relative to the current folder."""
        if relative.startswith("/"):
            return relative
        if self.top is not None:
            return (self.root / relative).relative_to(self.top).as_posix()
        return self.shown(relative)
