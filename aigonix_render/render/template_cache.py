"""Jinja2's cache of compiled templates, kept where only this user writes, and trusted intact.

Compiling the twenty templates is a tenth of a ``generate`` (the Argo CD plugin's call on
every commit), so the compiled code is kept in the user's cache folder
(``foundation.user_cache("templates")``: ``$XDG_CACHE_HOME/aigonix-render/templates``,
never under the shared temp folder). An entry is run as code, so the folder is used only
when it is this user's and nobody else can write in it (the rules of ``user_cache``).
Entries are checked cache entries (``foundation.read_entry``: this user's, not followed
through a symlink, written whole, each carrying the SHA-256 of its bytes); the key names
the versions and the environment's options. Templates hold no values. Any failure only
costs the compile again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from aigonix_render import __version__
from aigonix_render.foundation import read_entry, user_cache, write_entry

_HEAD = b""
"""Jinja2's payload names its own format (a magic number and the versions)."""


class TemplateCache(jinja2.BytecodeCache):
    """Entries: the payload Jinja2 writes (magic, checksum, code), kept as checked entries."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = f"\0aigonix-render {__version__}, Jinja2 {jinja2.__version__}, {salt}"

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(source + self.salt)

    def _entry(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: Bucket) -> None:
        payload = read_entry(self._entry(bucket), _HEAD)
        if payload is not None:  # else none, damaged or foreign: compiled again
            bucket.bytecode_from_string(payload)  # Jinja2 checks the versions and the source

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_entry(self._entry(bucket), _HEAD, bucket.bytecode_to_string())


def template_cache(salt: str, environ: Mapping[str, str] | None = None) -> jinja2.BytecodeCache | None:
    """The cache, or None where this user has no cache folder that is safely theirs."""
    folder = user_cache("templates", environ)
    return None if folder is None else TemplateCache(folder, salt)
