"""The ownership marker: which files of OUT aigonix-render owns, and from which inputs.

The marker (``.aigonix-render`` in OUT) names the digest of aigonix-render itself, then one
section per output folder: the folder, the digest of the input files its render read (see
``inputs`` and ``sources``), on an application's first folder what that application claims
that no other may have (``validate.claims``), and each owned file's SHA-256. It says which files a write may
replace or remove, which previous files can be trusted, and whether OUT is already up to
date without rendering anything. Each section starts with a line that never changes, so
git merges two branches that re-rendered different folders line by line; a marker that
git could not merge (conflict markers inside) is read as both sides: a file either side
wrote is trusted, and the next render writes the marker anew.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import field
from functools import cached_property
from pathlib import Path

from aigonix_render.foundation import (
    FILES_PER_UNIT,
    OutputError,
    OutputFile,
    Problem,
    Question,
    Severity,
    ask,
    if_first,
    record,
)
from aigonix_render.write.inputs import Section, TreeInputs
from aigonix_render.write.intact import confirmed, looked_at
from aigonix_render.write.marker_lines import (
    CLAIMS_PREFIX,
    FILE_SEPARATOR,
    FOLDER_PREFIX,
    INPUTS_PREFIX,
    TOOL_PREFIX,
    read_lines,
)
from aigonix_render.write.previous import read_previous
from aigonix_render.write.sources import output_application

MARKER = ".aigonix-render"
MARKER_HEADER = "# Written by aigonix-render: do not edit. The files below are owned and overwritten.\n"


@record
class MarkerInputs:
    """What a marker says of the inputs: aigonix-render's digest, each folder's section and
    the claims written in it (by output folder)."""

    tool: str
    sections: Mapping[str, Section] = field(default_factory=dict)
    claims: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@record
class Marker:
    """What the ownership marker says: aigonix-render's digest (``inputs``), each owned
    file's SHA-256 and each folder's inputs; after a git conflict, also the hashes of the
    other side (``other_side``) and the line of the first conflict (``conflict``)."""

    inputs: str | None
    files: dict[str, str]
    sections: dict[str, Section] = field(default_factory=dict)
    other_side: dict[str, str] = field(default_factory=dict)
    conflict: int | None = None
    claims: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def owned(self) -> set[str]:
        return {*self.files, *self.other_side}

    def wrote(self, path: str, digest: str) -> bool:
        """Whether aigonix-render wrote these bytes at ``path`` (on either side of a conflict)."""
        return digest in (self.files.get(path), self.other_side.get(path))

    @cached_property
    def by_folder(self) -> dict[str, list[str]]:
        """The files it lists, by their folder (``"."``: OUT's own), found once per marker
        (the no-op, the incremental render and the write each ask, of 23,000 files)."""
        return _by_folder(self.files)

    def every_file_in_a_section(self) -> bool:
        """Whether each owned file's folder has a section (else what its render reads is unknown)."""
        return self.by_folder.keys() <= self.sections.keys()

    def holds_for(self, tool: str) -> bool:
        """Whether its sections can be trusted by a run of aigonix-render ``tool``: written by
        the very same code and settings, and merged by git without a conflict."""
        return self.conflict is None and self.inputs == tool


class Unread(enum.Enum):
    """A marker not read yet: the function reads it (callers that read it once pass theirs)."""

    UNREAD = "unread"


UNREAD = Unread.UNREAD


def given(out: Path, marker: Marker | Unread | None) -> Marker | None:
    return read_marker(out) if marker is Unread.UNREAD else marker


def read_marker(out: Path) -> Marker | None:
    """The marker of ``out``, or None when ``out`` is not aigonix-render's. A damaged marker
    (a hand edit) is one clear error: which files it owns is unknown."""
    marker = out / MARKER
    if not marker.is_file():
        return None
    reading = read_lines(marker.read_bytes().decode("utf-8", "replace"))
    if isinstance(reading, int):
        raise OutputError(
            f"{marker} is damaged at line {reading} (a merge conflict or a hand edit?): restore it "
            f"with git and render again (only Secrets whose files differ from it are sealed again)"
        )
    if reading.side is not None:
        raise OutputError(
            f"{marker} is damaged: a git conflict in it does not end; restore it with git and render again"
        )
    return Marker(
        reading.tool, reading.files, reading.sections, reading.other_side, reading.conflict, reading.claims
    )


def conflict_note(out: Path, marker: Marker | None, resolved: bool) -> Problem | None:
    """What to do about a marker git could not merge: render again as it is. Taking one side
    by hand would distrust the files only the other side wrote, whose Secrets would then need
    their keys to be sealed again."""
    if marker is None or marker.conflict is None:
        return None
    if resolved:
        advice = (
            "git could not merge it: written anew from the merged tree, keeping every file either "
            f"side rendered (only Secrets whose source changed were sealed); `git add {out / MARKER}`"
        )
    else:
        advice = (
            "git could not merge it: run `aigonix-render render` without resolving it by hand; it "
            "keeps every file either side rendered and seals only Secrets whose source changed "
            "(taking one side would seal the other side's Secrets again, which needs their keys)"
        )
    return Problem(str(out / MARKER), marker.conflict, 1, advice, Severity.WARNING)


def owned_files(out: Path, marker: Marker | Unread | None = UNREAD) -> set[str] | None:
    """The files the marker lists, or None when ``out`` is not aigonix-render's."""
    marker = given(out, marker)
    return None if marker is None else marker.owned()


def trusted_previous(out: Path, relative: str, marker: Marker | None) -> bytes | None:
    """The previous file only if its bytes are what aigonix-render wrote (``marker``, read
    once per run, holds the hashes): a file replaced by hand is never trusted, whatever it
    claims about itself."""
    old = read_previous(out, relative)
    if marker is None or old is None or not marker.wrote(relative, _sha256(old)):
        return None
    return old


def marker_text(files: list[OutputFile], inputs: MarkerInputs, kept: Mapping[str, str] | None = None) -> str:
    """The ownership marker: aigonix-render's digest, then per folder its inputs and each
    owned file's hash; ``kept``: the files kept in OUT unread, by their hash."""
    digests = {f.path: _sha256(f.text.encode("utf-8")) for f in files}
    digests.update(kept or {})
    lines = [MARKER_HEADER, f"{TOOL_PREFIX}{inputs.tool}\n"]
    by_folder = _by_folder(digests)
    for folder in sorted(by_folder):
        lines.append(f"{FOLDER_PREFIX}{folder}\n")
        if folder in inputs.sections:
            digest, sources = inputs.sections[folder]
            lines.append(f"{INPUTS_PREFIX}{digest} {json.dumps(list(sources))}\n")
        if folder in inputs.claims:
            lines.append(f"{CLAIMS_PREFIX}{json.dumps(list(inputs.claims[folder]))}\n")
        lines += [f"{digests[path]}{FILE_SEPARATOR}{path}\n" for path in sorted(by_folder[folder])]
    return "".join(lines)


def _by_folder(paths: Iterable[str]) -> dict[str, list[str]]:
    """``paths`` by their folder (``"."`` for those at the top), each folder's in their order."""
    found: dict[str, list[str]] = {}
    for path in paths:
        found.setdefault(path.rpartition("/")[0] or ".", []).append(path)
    return found


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def up_to_date(out: Path, inputs: TreeInputs, marker: Marker | Unread | None = UNREAD) -> bool:
    """True when OUT was rendered from exactly these inputs and no owned file was touched,
    decided without rendering anything (the fast path of a no-op render)."""
    return hashed_files(out, inputs, marker) is not None


@record
class Checked:
    """What the no-op check saw: the marker's ctime (``written``), and each file it had to
    hash, with its ctime then (``hashed``; see ``restamp``)."""

    written: int
    hashed: dict[str, int]


def hashed_files(out: Path, inputs: TreeInputs, marker: Marker | Unread | None = UNREAD) -> Checked | None:
    """When OUT is up to date (``up_to_date``), what the check saw; None when it is not.

    The marker's status-change time (ctime) is newer than every file's it lists (it is
    written last, see ``files``): a file changed since has a newer one, and only those are
    read and hashed against the marker (``intact``). In a large tree, a forked child walks
    the tree for stray manifests and looks at every output file's ctime while this process
    digests the inputs; it is killed as soon as an input turns out changed (the incremental
    render that follows looks at the files it keeps by itself).
    """
    marker = given(out, marker)
    if marker is None or not marker.holds_for(inputs.tool):
        return None
    if not marker.every_file_in_a_section():
        return None
    written = marker_ctime(out)
    files = [(f"{out}/{path}", digest) for path, digest in marker.files.items()]
    git = ask(Path(inputs.root))  # git lists what it ignores while the inputs are digested,
    try:  # and a forked child walks the tree and looks at the output files meanwhile
        seen = if_first(
            len(files) // FILES_PER_UNIT,
            lambda: _inputs_hold(marker, inputs, git),
            lambda: (inputs.stray_manifest(), looked_at(files, written)),
        )
    finally:
        git.stop()
    if seen is None or seen[0] is not None:
        return None  # a file is hashed only now, when nothing else says OUT is not up to date
    ctimes = confirmed(files, seen[1])
    if None in ctimes:
        return None
    hashed = {
        file: ctime
        for (file, _), ctime in zip(files, ctimes, strict=True)
        if ctime is not None and ctime >= written
    }
    return Checked(written, hashed)


def _inputs_hold(marker: Marker, inputs: TreeInputs, git: Question) -> bool:
    """Whether every section's inputs are as the marker says, and the tree as a render of
    them left it: no application unnamed, no claim made twice, no input refused now (a
    manifest at a place validation refuses is looked for meanwhile: ``hashed_files``)."""
    sections = marker.sections.values()
    if any(inputs.section(s) != d for d, s in sections) or not inputs.names_every_application(
        marker.sections
    ):
        return False  # a changed input first
    if not claims_told(marker) or claimed_twice(marker.claims):
        return False
    return inputs.refused(git.answer) is None


def claims_told(marker: Marker) -> bool:
    """Whether every application with a section (one whose sources name its folder) has
    its claims in the marker: one without them could claim anything unseen."""
    applications = {
        output_application(folder)
        for folder, (_, sources) in marker.sections.items()
        if any(source.endswith("/") for source in sources)
    }
    return applications <= {output_application(folder) for folder in marker.claims}


def claimed_twice(claims: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether two applications (by the first part of their output folders) claim the same:
    each render refuses that, but git merges two branches that each made one of the claims
    without a conflict when they changed different applications."""
    return owned_twice((output_application(folder), claimed) for folder, claimed in claims.items())


def owned_twice(claims: Iterable[tuple[str, Iterable[str]]]) -> bool:
    """Whether two owners (applications, each named one way) make the same claim."""
    owner: dict[str, str] = {}
    for application, claimed in claims:
        for each in claimed:
            if owner.setdefault(each, application) != application:
                return True
    return False


def marker_ctime(out: Path) -> int:
    return os.stat(out / MARKER).st_ctime_ns
