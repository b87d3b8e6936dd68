"""Writing OUT in place: the few files a render changes, each renamed into place whole.

When a render adds, changes or removes few files (``IN_PLACE_LIMIT``) of an OUT that has a
marker, building a new OUT beside it (some 24,000 hard links at N=1000) costs more than the
render. Instead each new file is written in the staging folder and renamed over its path in
OUT (a reader sees the old bytes or the new, never half), the files no longer rendered are
removed (and the folders they leave empty), and the marker is renamed into place last. A
run killed meanwhile leaves some files new under the previous marker, which does not list
their bytes: the next render trusts none of them, renders their folders again and writes
the marker anew (``recover`` removes the staging folder first).

Before the marker is written, every file it lists that this run did not write must still
have the status-change time it had when it was found unchanged: a file edited by hand
during the run is written again (a rendered one) or the run fails (a kept one, whose bytes
it never read), so the marker never lists bytes OUT does not hold.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
from collections.abc import Mapping
from pathlib import Path

from aigonix_render.foundation import OutputError, OutputFile, replace_file
from aigonix_render.write.marker import MARKER
from aigonix_render.write.plan import Plan
from aigonix_render.write.reuse import Kept

IN_PLACE_LIMIT = 256
"""At most this many paths added, changed or removed are written in place; more are written
by building the new OUT beside the old one and swapping them (``files``), which leaves
exactly the old or the new output whenever a run dies."""


TICK = 0.01
"""File times tick coarsely: the marker is written at least this long after the last file
this run wrote, so that its status-change time is newer than every file's (those kept were
found before the run's own work began)."""


def fits_in_place(out: Path, changes: Plan) -> bool:
    """Few changes, each at a path where renaming a file in (or unlinking one) stays inside
    OUT: every folder on the way a real folder or nothing, nothing at the path but a file or
    a symlink (a folder of the user's there is the swap's to handle)."""
    paths = changes.paths
    return len(paths) <= IN_PLACE_LIMIT and all(_plain_path(str(out), path) for path in paths)


def _plain_path(root: str, relative: str) -> bool:
    parts = relative.split("/")
    here = root
    for index, part in enumerate(parts):
        here = os.path.join(here, part)
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return True
        except OSError:
            return False
        last = index == len(parts) - 1
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)) if last else not stat.S_ISDIR(mode):
            return False
    return True


def write_in_place(
    out: Path,
    files: list[OutputFile],
    changes: Plan,
    marker: str,
    unchanged: Mapping[str, int],
    kept: Mapping[str, Kept],
    staging: Path,
) -> None:
    """Make OUT hold ``files`` (``changes`` says which differ), then the marker."""
    staging.mkdir()
    try:
        texts = {f.path: f.text for f in files}
        root, temporary = str(out), str(staging)
        for path in (*changes.added, *changes.changed):
            _rename_in(root, temporary, path, texts[path])
        written = time.monotonic()
        for path in changes.removed:
            _remove(root, path)
        for path in _edited_since(root, unchanged):
            _rename_in(root, temporary, path, texts[path])
            written = time.monotonic()
        edited = _edited_since(root, {path: k.ctime for path, k in kept.items()})
        if edited:
            raise OutputError(f"{out / edited[0]} was changed during the render; render again")
        time.sleep(max(0.0, TICK - (time.monotonic() - written)))  # the marker newer than every file
        replace_file(out / MARKER, marker.encode("utf-8"), staging=staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _rename_in(root: str, temporary: str, relative: str, text: str) -> None:
    """The file written whole beside OUT, then renamed over whatever is at its path."""
    target = os.path.join(root, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    written = os.path.join(temporary, "file")
    write_new(written, text)
    os.replace(written, target)


def write_new(path: str, text: str) -> None:
    """A new file (never one that exists), written whole."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(text.encode("utf-8"))
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _remove(root: str, relative: str) -> None:
    """The file and then each folder it leaves empty, up to OUT (a folder holding anything
    else, the user's files too, stays)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(root, relative))
    folder = os.path.dirname(relative)
    while folder:
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:
            return
        folder = os.path.dirname(folder)


def _edited_since(root: str, ctimes: Mapping[str, int]) -> list[str]:
    """The files whose status-change time is no longer the one they were found with."""
    edited = []
    for path, ctime in ctimes.items():
        try:
            now = os.lstat(f"{root}/{path}").st_ctime_ns
        except OSError:
            now = None
        if now != ctime:
            edited.append(path)
    return sorted(edited)
