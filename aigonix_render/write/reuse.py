"""An incremental render: the output folders whose inputs did not change keep their files.

A folder is kept when the marker names the same aigonix-render (``inputs``), no git
conflict, a section for the folder with the very digest and sources its render reads now
(``sources``, computed from the tree as it is now, so a new event horizon changes the
sources of both applications it ties), and every file it lists there still has the bytes
aigonix-render wrote. Its files then stay in OUT as they are, unread: the render of a
folder is a function of the inputs its section names, so rendering it again would give the
same bytes (``tests/acceptance/test_incremental_render`` compares with cold renders). A
file is as written when its status-change time is older than the marker's, or else when
its bytes hash to the marker's digest (``marker.intact``, the no-op path's test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import Marker, intact, marker_ctime


class Kept(NamedTuple):
    """A file kept in OUT: the marker's digest of it, and its ctime when it was found intact
    (the write makes sure nothing changed it since: ``files.unchanged_since``)."""

    digest: str
    ctime: int


def reusable_folders(
    out: Path, previous: Marker | None, inputs: TreeInputs, sources: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, Kept]]:
    """The folders of ``sources`` whose files OUT can keep, with those files."""
    if previous is None or previous.conflict is not None or previous.inputs != inputs.tool:
        return {}
    listed: dict[str, list[str]] = {}
    for path in previous.files:
        listed.setdefault(path.rpartition("/")[0], []).append(path)
    written = marker_ctime(out)
    kept: dict[str, dict[str, Kept]] = {}
    for folder, found in sources.items():
        section = previous.sections.get(folder)
        paths = listed.get(folder)
        if section is None or not paths:
            continue
        if section != (inputs.section(found), tuple(sorted(set(found)))):
            continue
        files = _intact_files(f"{out}/", sorted(paths), previous, written)
        if files is not None:
            kept[folder] = files
    return kept


def _intact_files(out: str, paths: list[str], previous: Marker, written: int) -> dict[str, Kept] | None:
    """Each file as aigonix-render wrote it; None when one was changed, removed or replaced."""
    files: dict[str, Kept] = {}
    for path in paths:
        digest = previous.files[path]
        ctime = intact(out + path, digest, written)
        if ctime is None:
            return None
        files[path] = Kept(digest, ctime)
    return files
