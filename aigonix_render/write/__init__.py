"""Stage 7, writing: ``OutputFile`` values → the output directory, all or nothing.

It takes OUT and the files of a render and returns the ``Plan`` it carried out. ``marker``
reads and writes the ownership marker (the files aigonix-render owns, their hashes and the
digest of the inputs, from ``inputs``); ``plan`` compares with what OUT holds; ``files``
builds the new OUT beside the old one and swaps them in one rename, under OUT's lock, so
an interrupted or failed write leaves OUT as it was.
"""

from __future__ import annotations

from aigonix_render.write.files import (
    Marker,
    Plan,
    check_writable,
    output_errors,
    output_lock,
    plan,
    read_marker,
    read_previous,
    recover,
    trusted_previous,
    up_to_date,
    write_output,
)
from aigonix_render.write.inputs import input_digest

__all__ = [
    "Marker",
    "Plan",
    "check_writable",
    "input_digest",
    "output_errors",
    "output_lock",
    "plan",
    "read_marker",
    "read_previous",
    "recover",
    "trusted_previous",
    "up_to_date",
    "write_output",
]
