"""Stage 1, load: every ``aigonix.yaml`` at a place where the tree holds none.

A walk of the whole tree, whichever part of it is loaded (``folders.whole_tree``,
``select.some_applications``): such a manifest is refused wherever it lies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from aigonix_render.foundation import MANIFEST, Problem
from aigonix_render.load.place import Place, join

_UNKNOWN_PLACE = (
    "aigonix.yaml at an unknown place: the tree holds it only at the root, in "
    "applications/<app>/ and in applications/<app>/microservices/<microservice>/"
)


def stray_manifests(place: Place) -> Iterator[Problem]:
    """A problem for every ``aigonix.yaml`` at an unknown place in the whole tree."""
    for stray in sorted(_find_manifests(place)):
        if not _known_place(stray):
            yield Problem(stray.as_posix(), 1, 1, _UNKNOWN_PLACE)


def _find_manifests(place: Place) -> Iterator[Path]:
    """Every aigonix.yaml in the folders the walk could enter (what ``os.walk`` finds, at one
    system call less per folder: whether an entry is a symlink comes with the listing)."""
    pending = [""]
    excluded, tracked_only = place.excluded_paths, place.git.tracked_only
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(place.path(folder)) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False), e) for e in listing]
        except OSError:
            continue
        for name, real_folder, entry in entries:
            relative = join(folder, name)
            if tracked_only and place.untracked(relative):
                continue
            if real_folder and not name.startswith(".") and entry.path not in excluded:  # place.excluded
                pending.append(relative)
            elif name == MANIFEST and not _is_folder(entry):
                yield Path(folder, MANIFEST)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _known_place(manifest: Path) -> bool:
    """The three places a manifest may be: the root, an application, a microservice."""
    parts = manifest.parts
    return (
        len(parts) == 1
        or (len(parts) == 3 and parts[0] == "applications")
        or (len(parts) == 5 and parts[0] == "applications" and parts[2] == "microservices")
    )
