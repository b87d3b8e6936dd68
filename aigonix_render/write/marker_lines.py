"""Reading the ownership marker's lines (see ``marker``): each owned file's hash, each
folder's inputs, and the sides of a git conflict left in it.

A marker lists every owned file, some 24,000 lines at a thousand microservices, and every
no-op render reads it: a marker that is all well-formed lines (what aigonix-render writes
and what git merges cleanly) is split once and its file lines matched by one compiled
pattern each; one with a conflict or a damaged line is read line by line, which says where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from aigonix_render.write.inputs import Section

TOOL_PREFIX = "# aigonix-render: "
FOLDER_PREFIX = "# folder "
INPUTS_PREFIX = "# inputs: "
CLAIMS_PREFIX = "# claims: "
HASH_LENGTH = 64
"""A file's line: its SHA-256 (``HASH_LENGTH`` hex digits), ``FILE_SEPARATOR``, its path."""
FILE_SEPARATOR = "  "

_DIGEST = re.compile(f"[0-9a-f]{{{HASH_LENGTH}}}")
_CONFLICT = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")
# A git conflict's marks: the sides a mark may follow, and the side it starts.
_NEXT: dict[str, tuple[tuple[str | None, ...], str | None]] = {
    "<<<<<<<": ((None,), "ours"),
    "|||||||": (("ours",), "base"),
    "=======": (("ours", "base"), "theirs"),
    ">>>>>>>": (("theirs",), None),
}


@dataclass
class Reading:
    """The marker read so far; ``side``: where in a git conflict the line is, if it is."""

    tool: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    claims: dict[str, tuple[str, ...]] = field(default_factory=dict)
    other_side: dict[str, str] = field(default_factory=dict)
    folder: str | None = None
    side: str | None = None
    conflict: int | None = None

    def line(self, number: int, line: str) -> bool:
        """Take one line; False when it is damaged."""
        if line.startswith(_CONFLICT):
            return self._conflict(number, line[:7])
        if self.side == "base":
            return True  # what both sides changed: neither side's
        if line.startswith(TOOL_PREFIX):
            self.tool = line.removeprefix(TOOL_PREFIX)
        elif line.startswith(FOLDER_PREFIX):
            self.folder = line.removeprefix(FOLDER_PREFIX)
        elif line.startswith(INPUTS_PREFIX) and self.folder is not None:
            self._inputs(self.folder, line.removeprefix(INPUTS_PREFIX))
        elif line.startswith(CLAIMS_PREFIX) and self.folder is not None:
            self._claims(self.folder, line.removeprefix(CLAIMS_PREFIX))
        elif line and not line.startswith("#"):
            digest, _, path = line.partition(FILE_SEPARATOR)
            if not _DIGEST.fullmatch(digest) or not path:
                return False
            (self.other_side if self.side == "theirs" else self.files)[path] = digest
        return True

    def _conflict(self, number: int, mark: str) -> bool:
        """``<<<<<<<`` ours ``|||||||`` base (diff3) ``=======`` theirs ``>>>>>>>``."""
        allowed, after = _NEXT[mark]
        if self.side not in allowed:
            return False
        self.side = after
        self.conflict = self.conflict or number
        return True

    def _inputs(self, folder: str, text: str) -> None:
        """``sha256:<hex> ["source", ...]``; anything else leaves the folder without inputs
        (so it is rendered again)."""
        digest, _, sources = text.partition(" ")
        found = _strings(sources)
        if found is not None:
            self.sections[folder] = (digest, found)

    def _claims(self, folder: str, text: str) -> None:
        """``["claim", ...]``; anything else leaves the folder without inputs (see ``marker``)."""
        found = _strings(text)
        if found is None:
            self.sections.pop(folder, None)
        else:
            self.claims[folder] = found


def _strings(text: str) -> tuple[str, ...] | None:
    """A JSON list of strings, or None."""
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if isinstance(found, list) and all(isinstance(s, str) for s in found):
        return tuple(found)
    return None


# What str.splitlines splits at besides "\n": such a marker is read line by line, as before.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_FILE_LINE = re.compile(f"{_DIGEST.pattern}{FILE_SEPARATOR}.")
_PATH_AT = HASH_LENGTH + len(FILE_SEPARATOR)


def read_lines(text: str) -> Reading | int:
    """The marker's content, or the number of its first damaged line."""
    if not any(c in text for c in _OTHER_BREAKS):
        lines = text.split("\n")
        files = [line for line in lines if line and line[0] != "#"]
        if all(map(_FILE_LINE.match, files)):  # no conflict, no damage
            return _in_bulk([line for line in lines if line[:1] == "#"], files)
    return line_by_line(text)


def line_by_line(text: str) -> Reading | int:
    """``read_lines`` for any marker, one line at a time."""
    reading = Reading()
    for number, line in enumerate(text.splitlines(), 1):
        if not reading.line(number, line):
            return number
    return reading


def _in_bulk(comments: list[str], files: list[str]) -> Reading:
    """A marker without a conflict or a damaged line: the same as line by line."""
    reading = Reading(files={line[_PATH_AT:]: line[:HASH_LENGTH] for line in files})
    for comment in comments:
        reading.line(0, comment)
    return reading
