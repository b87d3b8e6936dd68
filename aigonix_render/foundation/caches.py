"""The user's cache folders: where aigonix-render keeps what it may compute again.

``user_cache(name)`` is ``<base>/aigonix-render/<name>``, where the base is
``$XDG_CACHE_HOME`` (an absolute path) or ``~/.cache``, ``~/Library/Caches`` on macOS and
``%LOCALAPPDATA%`` on Windows; never the shared temp folder. What is cached there may be run
or trusted (compiled templates, validate's verdicts, input digests), so a folder is used
only when it is this user's and nobody else can write in it: ``aigonix-render`` and
``<name>`` are created 0700, and each must be a real folder (not a symlink) owned by this
user and not group- or world-writable, or there is no cache (None). Nothing here changes
the mode of anything that exists.

An entry is written and read in one way (``write_entry``, ``read_entry``): written whole
(a new file renamed into place, 0600) as a head naming its format, the SHA-256 of its
payload and the payload; read only when it is a regular file of this user's that nobody
else can write, opened without following a symlink, whose head and digest match. Anything
else about an entry makes it no entry, and a failure to write one only costs the work next
time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from aigonix_render.foundation.atomic import replace_file

NO_CACHE = "AIGONIX_RENDER_NO_CACHE"
"""Set (to anything) to use no cache at all: every run computes everything."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_READ = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0)
_DIGEST = hashlib.sha256().digest_size


def cache_place(name: str, environ: Mapping[str, str], platform: str = sys.platform) -> Path | None:
    """Where the cache ``name`` lives (None when the platform names no place); nothing is made."""
    home = environ.get("HOME", "")
    if platform == "win32":
        local = environ.get("LOCALAPPDATA", "")
        return Path(local, "aigonix-render", name) if local else None
    if platform == "darwin":
        base = os.path.join(home, "Library", "Caches") if home else ""
    else:
        xdg = environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.join(home, ".cache") if home else ""
    return Path(base, "aigonix-render", name) if os.path.isabs(base) else None


def user_cache(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The cache folder ``name``, created if missing; None when caches are turned off
    (``NO_CACHE``) or it is not safely this user's."""
    environ = os.environ if environ is None else environ
    if environ.get(NO_CACHE):
        return None
    folder = cache_place(name, environ)
    return folder if folder is not None and _private_folder(folder) else None


def _private_folder(folder: Path) -> bool:
    """Create ``folder``'s last two levels (0700) if missing; True when both are safely ours."""
    for level in (folder.parent, folder):
        try:
            level.mkdir(mode=0o700, parents=level == folder.parent)
        except FileExistsError:
            pass
        except OSError:
            return False
        if not _our_folder(level):
            return False
    return True


def _our_folder(folder: Path) -> bool:
    """A real folder (not a symlink), owned by this user, not group- or world-writable."""
    try:
        if os.name == "nt":  # Windows opens no folder; %LOCALAPPDATA% is the user's own
            info = os.lstat(folder)
        else:
            descriptor = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
            try:
                info = os.fstat(descriptor)
            finally:
                os.close(descriptor)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and owned_by_user(info)


def owned_by_user(info: os.stat_result) -> bool:
    """Owned by this user and not group- or world-writable (on Windows: the user's own)."""
    if os.name == "nt":
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & 0o022


def read_entry(path: Path | str, head: bytes) -> bytes | None:
    """The payload of the entry at ``path`` (``write_entry``'s, with this ``head``); None
    when there is none, or it is damaged, foreign or writable by others."""
    try:
        descriptor = os.open(path, _READ)
    except OSError:
        return None
    try:
        with open(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not (stat.S_ISREG(info.st_mode) and owned_by_user(info)):
                return None
            content = handle.read()
    except OSError:
        return None
    start = len(head) + _DIGEST
    payload = content[start:]
    return payload if content[:start] == head + hashlib.sha256(payload).digest() else None


def write_entry(path: Path | str, head: bytes, payload: bytes) -> None:
    """Keep ``payload`` at ``path`` whole or not at all (0600); a failure is no error."""
    replace_file(path, head + hashlib.sha256(payload).digest() + payload, mode=0o600, best_effort=True)
