"""An incremental render: the output folders whose inputs did not change keep their files.

A folder is kept when the marker names the same aigonix-render (``inputs``), no git
conflict, a section for the folder with the very digest and sources its render reads now
(``sources``, computed from the tree as it is now, so a new event horizon changes the
sources of both applications it ties), and every file it lists there still has the bytes
aigonix-render wrote. Its files then stay in OUT as they are, unread: the render of a
folder is a function of the inputs its section names, so rendering it again would give the
same bytes (``tests/acceptance/test_incremental_render`` compares with cold renders). A
file is as written when its status-change time is older than the marker's, or else when
its bytes hash to the marker's digest (``intact``, the no-op path's test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NamedTuple

from aigonix_render.foundation import FILES_PER_UNIT, ahead
from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.intact import intact_files
from aigonix_render.write.marker import Marker, marker_ctime


class Kept(NamedTuple):
    """A file kept in OUT: the marker's digest of it, and its ctime when it was found intact
    (the write makes sure nothing changed it since: ``files.unchanged_since``)."""

    digest: str
    ctime: int


Looks = Callable[[], Mapping[str, int | None]]
"""What ``intact_files`` found of every file the marker lists, by path (``looked_ahead``)."""


@contextmanager
def looked_ahead(out: Path, previous: Marker | None, tool: str) -> Iterator[Looks | None]:
    """Every file the marker lists looked at (``intact_files``) by a forked child from now
    on, while this process digests the inputs, loads and renders (after a checkout or a copy
    of OUT, every file is hashed: 0.2 s at N=1000); the function given returns what it
    found. None when no child looks: a small OUT, none, or a marker whose sections this run
    of aigonix-render (``tool``) cannot trust, so that no folder is kept."""
    if previous is None or not previous.files or not previous.holds_for(tool):
        yield None
        return
    listed = sorted(previous.files)
    files = [(f"{out}/{path}", previous.files[path]) for path in listed]
    written = marker_ctime(out)
    with ahead(len(files) // FILES_PER_UNIT, lambda: intact_files(files, written, halves=False)) as found:
        yield None if found is None else cache(lambda: dict(zip(listed, found(), strict=True)))


def reusable_folders(
    out: Path,
    previous: Marker | None,
    inputs: TreeInputs,
    sources: Mapping[str, Sequence[str]],
    looks: Looks | None = None,
) -> dict[str, dict[str, Kept]]:
    """The folders of ``sources`` whose files OUT can keep, with those files; ``looks``:
    what a look ahead found of them (``looked_ahead``)."""
    if previous is None or not previous.holds_for(inputs.tool):
        return {}
    listed = previous.by_folder
    written = marker_ctime(out)
    candidates: dict[str, list[str]] = {}
    for folder, found in sources.items():
        section = previous.sections.get(folder)
        paths = listed.get(folder)
        if section is not None and paths and section == (inputs.section(found), tuple(sorted(set(found)))):
            candidates[folder] = sorted(paths)
    listed_paths = [path for paths in candidates.values() for path in paths]
    if looks is not None:
        seen = looks() if listed_paths else {}
        checked = [seen[path] for path in listed_paths]
    else:
        checked = intact_files([(f"{out}/{path}", previous.files[path]) for path in listed_paths], written)
    kept: dict[str, dict[str, Kept]] = {}
    at = 0
    for folder, paths in candidates.items():
        ctimes, at = checked[at : at + len(paths)], at + len(paths)
        here = {p: Kept(previous.files[p], c) for p, c in zip(paths, ctimes, strict=True) if c is not None}
        if len(here) == len(paths):  # every file as written
            kept[folder] = here
    return kept
