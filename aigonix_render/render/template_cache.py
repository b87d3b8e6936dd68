"""Jinja2's cache of compiled templates, kept where only this user writes, and trusted intact.

Compiling the twenty templates is a tenth of a ``generate`` (the Argo CD plugin's call on
every commit), so the compiled code is kept in the user's cache folder
(``$XDG_CACHE_HOME/aigonix-render/templates`` or ``~/.cache/...``; ``~/Library/Caches`` on
macOS, ``%LOCALAPPDATA%`` on Windows), never under the shared temp folder. An entry is run as
code, so the folder is used only when it is this user's and nobody else can write in it:
``aigonix-render`` and ``templates`` are created 0700, and each must be a real folder (not a
symlink) owned by this user and not group- or world-writable, or there is no cache. Nothing
here changes the mode of anything that exists; entries are opened with ``O_NOFOLLOW`` and
written whole (a new file, then renamed into place). Each entry carries the SHA-256 of its
bytes, its key names the versions and the environment's options. Templates hold no values.
Any failure only costs the compile again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from aigonix_render import __version__
from aigonix_render.foundation import replace_file

_DIGEST = hashlib.sha256().digest_size
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def cache_folder(environ: Mapping[str, str], platform: str = sys.platform) -> Path | None:
    """Where this user's compiled templates live (None when the platform names no place)."""
    home = environ.get("HOME", "")
    if platform == "win32":
        local = environ.get("LOCALAPPDATA", "")
        return Path(local, "aigonix-render", "templates") if local else None
    if platform == "darwin":
        base = os.path.join(home, "Library", "Caches") if home else ""
    else:
        xdg = environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.join(home, ".cache") if home else ""
    return Path(base, "aigonix-render", "templates") if os.path.isabs(base) else None


def private_folder(folder: Path) -> bool:
    """Create ``folder``'s last two levels (0700) if missing; True when both are safely ours."""
    for level in (folder.parent, folder):
        try:
            level.mkdir(mode=0o700, parents=level == folder.parent)
        except FileExistsError:
            pass
        except OSError:
            return False
        if not _ours(level):
            return False
    return True


def _ours(folder: Path) -> bool:
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
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner and not info.st_mode & 0o022


class TemplateCache(jinja2.BytecodeCache):
    """Entries: SHA-256 of the payload, then the payload Jinja2 writes (magic, checksum, code)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = f"\0aigonix-render {__version__}, Jinja2 {jinja2.__version__}, {salt}"

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(source + self.salt)

    def _entry(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            descriptor = os.open(self._entry(bucket), os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
            with open(descriptor, "rb") as handle:
                entry = handle.read()
        except OSError:
            return
        payload = entry[_DIGEST:]
        if entry[:_DIGEST] == hashlib.sha256(payload).digest():  # else damaged: compiled again
            bucket.bytecode_from_string(payload)  # Jinja2 checks the versions and the source

    def dump_bytecode(self, bucket: Bucket) -> None:
        payload = bucket.bytecode_to_string()
        entry = hashlib.sha256(payload).digest() + payload
        replace_file(self._entry(bucket), entry, mode=0o600, best_effort=True)


def template_cache(salt: str, environ: Mapping[str, str] | None = None) -> jinja2.BytecodeCache | None:
    """The cache, or None where this user has no cache folder that is safely theirs."""
    folder = cache_folder(os.environ if environ is None else environ)
    if folder is None or not private_folder(folder):
        return None
    return TemplateCache(folder, salt)
