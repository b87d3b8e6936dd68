"""Jinja2's cache of compiled templates, made safe to trust.

Compiling the twenty templates is a tenth of a ``generate`` (the Argo CD plugin's call on
every commit), so the compiled code is kept in Jinja2's private folder under the temp folder
(made mode 0700; refused when another user owns it: then there is no cache). Templates hold
no values. Jinja2 itself checks only a header and the template's source: a damaged entry
would be run as code, and an upgrade of Jinja2 or aigonix-render could reuse code compiled
for other options. So each entry here carries the SHA-256 of its bytes, its key names the
versions and the environment's options, and it is written whole (a file per writer, then
renamed into place). A cache that cannot be read or written only costs the compile again.
"""

from __future__ import annotations

import hashlib

import jinja2
from jinja2.bccache import Bucket

from aigonix_render import __version__
from aigonix_render.foundation import replace_file

_DIGEST = hashlib.sha256().digest_size


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Entries: SHA-256 of the payload, then the payload Jinja2 writes (magic, checksum, code)."""

    def __init__(self, salt: str) -> None:
        super().__init__()
        self.salt = f"\0aigonix-render {__version__}, Jinja2 {jinja2.__version__}, {salt}"

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(source + self.salt)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as handle:
                entry = handle.read()
        except OSError:
            return
        payload = entry[_DIGEST:]
        if entry[:_DIGEST] == hashlib.sha256(payload).digest():  # else damaged: compiled again
            bucket.bytecode_from_string(payload)  # Jinja2 checks the versions and the source

    def dump_bytecode(self, bucket: Bucket) -> None:
        payload = bucket.bytecode_to_string()
        entry = hashlib.sha256(payload).digest() + payload
        replace_file(self._get_cache_filename(bucket), entry, mode=0o600, best_effort=True)


def template_cache(salt: str) -> jinja2.BytecodeCache | None:
    """The cache, or None where the temp folder has none that is safely ours."""
    try:
        return TemplateCache(salt)
    except (OSError, RuntimeError):
        return None
