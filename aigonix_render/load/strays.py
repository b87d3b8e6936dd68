"""Stage 1, load: every ``aigonix.yaml`` at a place where the tree holds none.

A walk of the whole tree (``foundation.manifest_folders``, the no-op's too), whichever
part of it is loaded (``folders.whole_tree``, ``select.some_applications``): such a
manifest is refused wherever it lies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aigonix_render.foundation import MANIFEST, Problem, known_manifest_place, manifest_folders
from aigonix_render.load.place import Place

_UNKNOWN_PLACE = (
    "aigonix.yaml at an unknown place: the tree holds it only at the root, in "
    "applications/<app>/ and in applications/<app>/microservices/<microservice>/"
)


def stray_manifests(place: Place) -> Iterator[Problem]:
    """A problem for every ``aigonix.yaml`` at an unknown place in the whole tree."""
    skipped = place.untracked if place.git.tracked_only else None
    folders = manifest_folders(place.base, place.excluded_paths, skipped)
    for stray in sorted(Path(f, MANIFEST) for f in folders if not known_manifest_place(f)):
        yield Problem(stray.as_posix(), 1, 1, _UNKNOWN_PLACE)
