"""Writing OUT: the few changed files in place, or the new output built beside the old one
and swapped in whole.

An OUT with a marker that a render changes in few files has them renamed into place one by
one, the marker last (``in_place``). Otherwise the new output is built in a sibling staging directory: files whose bytes did not change
are hard links to the old ones (same inode, same mtime), files the directory holds but
aigonix-render did not write are carried over the same way. Then staging and output are
exchanged with one atomic ``renameat2(RENAME_EXCHANGE)`` where the kernel offers it (two
renames elsewhere) and the old tree is removed. A run that dies at any point leaves either
the old or the new output, plus leftovers the next run removes first.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from aigonix_render.foundation import OutputError, OutputFile, fsync_dir
from aigonix_render.write.in_place import fits_in_place, write_in_place, write_new
from aigonix_render.write.lock import check_writable
from aigonix_render.write.marker import MARKER, UNREAD, Marker, MarkerInputs, Unread, given, marker_text
from aigonix_render.write.plan import Plan, compare
from aigonix_render.write.previous import read_previous
from aigonix_render.write.reuse import Kept


def staging_path(out: Path) -> Path:
    return out.parent / f".{out.name}.aigonix-staging"


def retired_path(out: Path) -> Path:
    return out.parent / f".{out.name}.aigonix-retired"


def write_output(
    out: Path,
    files: list[OutputFile],
    inputs: MarkerInputs,
    kept: Mapping[str, Kept] | None = None,
    previous: Marker | Unread | None = UNREAD,
) -> Plan:
    """Make ``out`` hold exactly ``files`` and ``kept`` (the files left as they are, unread:
    ``reuse``), plus files it held that it does not own. ``previous``: OUT's marker, when the
    caller has read it.

    The caller holds ``output_lock(out)`` and has run ``recover(out)``.
    """
    previous = given(out, previous)
    check_writable(out, previous)
    kept = kept or {}
    owned = previous.owned() if previous is not None else set()
    changes, unchanged = compare(out, files, kept, owned)
    marker = marker_text(files, inputs, {path: k.digest for path, k in kept.items()})
    if previous is not None and out.is_dir() and (not changes.stale or fits_in_place(out, changes)):
        if changes.stale or read_previous(out, MARKER) != marker.encode("utf-8"):
            write_in_place(out, files, changes, marker, unchanged, kept, staging_path(out))
        return changes
    staging = staging_path(out)
    try:
        _build(staging, out, files, marker, unchanged, kept, owned)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # OUT is untouched until the swap
        raise
    _restamp(out / MARKER)
    return changes


def _restamp(marker: Path) -> None:
    """Removing the previous OUT unlinked the files it shares with the new one (unchanged
    files are hard links), which gave them a new status-change time: give the marker a newer
    one, or the next no-op would hash every unchanged file (see up_to_date). The price: a
    hand edit of OUT made while this run removes the previous OUT (well under a second, with
    the run's lock held) would be trusted like the run's own files."""
    time.sleep(0.01)  # file times tick coarsely: be sure "newer" is visible
    os.utime(marker)


def recover(out: Path) -> None:
    """Undo what an interrupted run left: ``out`` is always whole afterwards."""
    retired = retired_path(out)
    if retired.exists() and not out.exists():
        os.rename(retired, out)
    for leftover in (staging_path(out), retired):
        if leftover.exists():
            shutil.rmtree(leftover)


def _build(
    staging: Path,
    out: Path,
    files: list[OutputFile],
    marker: str,
    unchanged: dict[str, int],
    kept: Mapping[str, Kept],
    owned: set[str],
) -> None:
    """``unchanged``: the paths whose file in OUT had the very bytes, with its ctime then."""
    staging.mkdir()
    if out.is_dir():
        _carry_over(out, staging, owned)
    for folder in sorted({os.path.dirname(path) for path in (*(f.path for f in files), *kept)}):
        os.makedirs(os.path.join(staging, folder), exist_ok=True)
    old_root, new_root = str(out), str(staging)
    for file in files:  # one at a time: each file's bytes exist only while it is written
        _place(new_root, old_root, file.path, file.text, unchanged.get(file.path))
    for path, found in kept.items():
        if _ctime(os.path.join(old_root, path)) != found.ctime:
            raise OutputError(f"{out / path} was changed during the render; render again")
        os.link(os.path.join(old_root, path), os.path.join(new_root, path))
    time.sleep(0.01)  # the marker must be newer than every file it lists (see up_to_date)
    _write(new_root, MARKER, marker)


def _carry_over(out: Path, staging: Path, owned: set[str]) -> None:
    """Everything in ``out`` that aigonix-render did not write stays: files (as hard links),
    symlinks (to files or folders, never followed), and folders, empty ones and ``.git`` too.
    A folder that held owned files goes when its last file does (a deleted environment).
    Strings, not ``pathlib``: a re-render walks some 24,000 owned files here."""
    ours = {parent for path in owned for parent in _parents(path)}
    root = str(out)
    for folder, dirs, names in os.walk(root):
        here = os.path.relpath(folder, root)
        if here not in ours:
            (staging / here).mkdir(parents=True, exist_ok=True)
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = sorted(d for d in dirs if d not in links)
        for name in sorted([*names, *links]):
            relative = name if here == "." else f"{here}/{name}"
            if relative not in owned and relative != MARKER:
                _carry(Path(folder, name), staging / relative)


def _parents(path: str) -> Iterator[str]:
    """``a/b/c.yaml``: ``a/b``, ``a`` and ``.`` (OUT itself)."""
    while "/" in path:
        path = path.rpartition("/")[0]
        yield path
    yield "."


def _carry(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        os.link(source, target)


def _place(staging: str, out: str, relative: str, text: str, read_at: int | None) -> None:
    """Put one file into staging: a hard link to the file OUT holds at ``relative`` when that
    had the same bytes with ctime ``read_at`` (None: it had not) and still has that ctime
    (nothing wrote it since), else the file written anew."""
    target = os.path.join(staging, relative)
    if os.path.lexists(target):  # a file of the user's at a path we now render
        os.unlink(target)
    if read_at is not None and _ctime(os.path.join(out, relative)) == read_at:
        os.link(os.path.join(out, relative), target)
    else:
        _write(staging, relative, text)


def _write(folder: str, relative: str, text: str) -> None:
    """A new file. One after the other: on tmpfs and ext4 alike, a pool of writer threads
    made 23,500 files four times slower than one loop (the threads wait on each other)."""
    write_new(os.path.join(folder, relative), text)


def _ctime(path: str) -> int | None:
    """The status-change time of the regular file at ``path``; None for anything else."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    return status.st_ctime_ns if stat.S_ISREG(status.st_mode) else None


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging)
    else:
        retired = retired_path(out)
        os.rename(out, retired)
        os.rename(staging, out)
        shutil.rmtree(retired)
    fsync_dir(out.parent)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        import ctypes  # here: only a render that replaces OUT whole swaps it

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (ImportError, OSError, AttributeError):  # no ctypes, no libc, no renameat2
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OutputError(f"could not swap {b} into place: {os.strerror(code)}")
