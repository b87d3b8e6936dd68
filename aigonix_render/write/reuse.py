"""An incremental render: the output folders whose inputs did not change keep their files.

A folder is kept when the marker names the same aigonix-render (``inputs``), no git
conflict, a section for the folder with the very digest and sources its render reads now
(``sources``, computed from the tree as it is now, so a new event horizon changes the
sources of both applications it ties), and every file it lists there still has the bytes
aigonix-render wrote. Its files are then taken from OUT as they are: the render of a folder
is a function of the inputs its section names, so rendering it again would give the same
bytes (``tests/acceptance/test_incremental_render`` compares with cold renders).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aigonix_render.foundation import OutputFile
from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import Marker, trusted_previous


def reusable_folders(
    out: Path, previous: Marker | None, inputs: TreeInputs, sources: Mapping[str, Sequence[str]]
) -> dict[str, list[OutputFile]]:
    """The folders of ``sources`` whose files OUT can keep, with those files."""
    if previous is None or previous.conflict is not None or previous.inputs != inputs.tool:
        return {}
    listed: dict[str, list[str]] = {}
    for path in previous.files:
        listed.setdefault(path.rpartition("/")[0], []).append(path)
    kept: dict[str, list[OutputFile]] = {}
    for folder, found in sources.items():
        section = previous.sections.get(folder)
        paths = listed.get(folder)
        if section is None or not paths:
            continue
        if section != (inputs.section(found), tuple(sorted(set(found)))):
            continue
        files = _intact_files(out, sorted(paths), previous)
        if files is not None:
            kept[folder] = files
    return kept


def _intact_files(out: Path, paths: list[str], previous: Marker) -> list[OutputFile] | None:
    """Each file as aigonix-render wrote it; None when one was changed, removed or replaced."""
    files: list[OutputFile] = []
    for path in paths:
        old = trusted_previous(out, path, previous)
        if old is None:
            return None
        try:
            files.append(OutputFile(path, old.decode("utf-8")))
        except UnicodeDecodeError:
            return None
    return files
