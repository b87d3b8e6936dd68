"""The ownership marker: which files of OUT aigonix-render owns, and from which inputs.

The marker (``.aigonix-render`` in OUT) lists the digest of the inputs (see ``inputs``) and
each owned file's SHA-256. It says which files a write may replace or remove, which previous
files can be trusted, and whether OUT is already up to date without rendering anything.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from aigonix_render.foundation import OutputError, OutputFile
from aigonix_render.write.previous import read_file, read_previous

MARKER = ".aigonix-render"
INPUTS_PREFIX = "# inputs: "
MARKER_HEADER = "# Written by aigonix-render: do not edit. The files below are owned and overwritten.\n"


@dataclass(frozen=True)
class Marker:
    """What the ownership marker says: the inputs' digest and each owned file's SHA-256."""

    inputs: str | None
    files: dict[str, str]


def read_marker(out: Path) -> Marker | None:
    """The marker of ``out``, or None when ``out`` is not aigonix-render's. A damaged marker
    (a merge conflict, a hand edit) is one clear error: which files it owns is unknown."""
    marker = out / MARKER
    if not marker.is_file():
        return None
    inputs: str | None = None
    files: dict[str, str] = {}
    text = marker.read_bytes().decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(INPUTS_PREFIX):
            inputs = line.removeprefix(INPUTS_PREFIX)
        elif line and not line.startswith("#"):
            digest, _, path = line.partition("  ")
            if not _DIGEST.fullmatch(digest) or not path:
                raise OutputError(
                    f"{marker} is damaged at line {number} (a merge conflict or a hand edit?): "
                    f"remove {out} and render again"
                )
            files[path] = digest
    return Marker(inputs, files)


_DIGEST = re.compile(r"[0-9a-f]{64}")


def owned_files(out: Path) -> set[str] | None:
    """The files the marker lists, or None when ``out`` is not aigonix-render's."""
    marker = read_marker(out)
    return None if marker is None else set(marker.files)


def trusted_previous(out: Path, relative: str, marker: Marker | None) -> bytes | None:
    """The previous file only if its bytes are what aigonix-render wrote (``marker``, read
    once per run, holds the hashes): a file replaced by hand is never trusted, whatever it
    claims about itself."""
    old = read_previous(out, relative)
    if marker is None or old is None or marker.files.get(relative) != _sha256(old):
        return None
    return old


def marker_text(files: list[OutputFile], inputs: str) -> str:
    """The ownership marker: the digest of the inputs, then each owned file's hash."""
    lines = [f"{_sha256(f.text.encode('utf-8'))}  {f.path}\n" for f in sorted(files, key=lambda f: f.path)]
    return MARKER_HEADER + f"{INPUTS_PREFIX}{inputs}\n" + "".join(lines)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def up_to_date(out: Path, inputs: str) -> bool:
    """True when OUT was rendered from exactly these inputs and no owned file was touched,
    decided without rendering anything (the fast path of a no-op render).

    The marker's status-change time (ctime) is newer than every file's it lists (see
    ``_restamp`` in ``files``): a file changed since has a newer one, and only those are
    read and hashed against the marker.
    """
    marker = read_marker(out)
    if marker is None or marker.inputs != inputs:
        return False
    written = os.stat(out / MARKER).st_ctime_ns
    folder = f"{out}/"
    return all(_intact(folder + path, digest, written) for path, digest in marker.files.items())


def _intact(file: str, digest: str, written: int) -> bool:
    """The ctime cannot be set back by hand, unlike the mtime."""
    try:
        status = os.lstat(file)
    except OSError:
        return False
    if not stat.S_ISREG(status.st_mode):
        return False
    return status.st_ctime_ns < written or _sha256(read_file(file)) == digest
