"""Which of a render's Secrets OUT already holds sealed: kept byte for byte, no key needed.

A Secret's file in OUT is kept when aigonix-render wrote it (the marker's hash) and the
fingerprint it carries is the one its inputs give now (``seal.previous_fingerprint``);
every other Secret is sealed anew.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aigonix_render.foundation import OutputFile
from aigonix_render.write import Marker, trusted_previous

if TYPE_CHECKING:
    from aigonix_render.seal import Fingerprinted


def split_by_fingerprint(
    out: Path, secrets: list[Fingerprinted], previous: Marker | None
) -> tuple[list[OutputFile], list[Fingerprinted]]:
    """Secrets whose previous file has the same fingerprint are kept byte for byte."""
    from aigonix_render.seal import previous_fingerprint

    kept: list[OutputFile] = []
    stale: list[Fingerprinted] = []

    def read(path: str) -> bytes | None:
        return trusted_previous(out, path, previous)

    for secret in secrets:
        old = trusted_previous(out, secret.pending.path, previous)
        text = old.decode("utf-8", "replace") if old is not None else ""
        if old is not None and previous_fingerprint(text, secret.pending, read) == secret.fingerprint:
            kept.append(OutputFile(secret.pending.path, text))
        else:
            stale.append(secret)
    return kept, stale
