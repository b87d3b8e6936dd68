"""Stage 7, writing: ``OutputFile`` values → the output directory, all or nothing.

It takes OUT and the files of a render and returns the ``Plan`` it carried out. ``marker``
reads and writes the ownership marker (the files aigonix-render owns, their hashes and, per
output folder, the digest of the inputs, from ``inputs`` over the files ``sources`` names,
walked by ``walk``) and tells whether OUT is up to date; ``previous``
reads what OUT holds now without following a symlink; ``known`` remembers the input files' digests between runs (a stat cache); ``plan``
compares the new files with OUT; ``in_place`` renames the few files a render changes into OUT one by one, the marker
last; ``files`` chooses it or builds the new OUT beside the old one and swaps them in one
rename, so an interrupted or failed write leaves OUT as it was (or, in place, as the next
render repairs it); ``reuse`` finds the folders whose files stay unread; ``lock`` holds OUT's lock, refuses an OUT
that is not aigonix-render's and turns an operating-system error into one clear line.
"""

from __future__ import annotations

from aigonix_render.write.files import recover, write_output
from aigonix_render.write.inputs import Section, TreeInputs
from aigonix_render.write.known import Known
from aigonix_render.write.lock import check_writable, output_errors, output_lock
from aigonix_render.write.marker import (
    MARKER,
    UNREAD,
    Marker,
    MarkerInputs,
    Unread,
    claimed_twice,
    claims_told,
    conflict_note,
    marker_text,
    owned_twice,
    read_marker,
    trusted_previous,
    up_to_date,
)
from aigonix_render.write.plan import Plan, plan
from aigonix_render.write.previous import read_previous
from aigonix_render.write.restamp import up_to_date_restamped
from aigonix_render.write.reuse import Kept, Looks, looked_ahead, reusable_folders
from aigonix_render.write.sources import application_ties, folder_claims, folder_sources, manifests_of

__all__ = [
    "MARKER",
    "UNREAD",
    "Kept",
    "Known",
    "Looks",
    "Marker",
    "MarkerInputs",
    "Plan",
    "Section",
    "TreeInputs",
    "Unread",
    "application_ties",
    "check_writable",
    "claimed_twice",
    "claims_told",
    "conflict_note",
    "folder_claims",
    "folder_sources",
    "looked_ahead",
    "manifests_of",
    "marker_text",
    "output_errors",
    "output_lock",
    "owned_twice",
    "plan",
    "read_marker",
    "read_previous",
    "recover",
    "reusable_folders",
    "trusted_previous",
    "up_to_date",
    "up_to_date_restamped",
    "write_output",
]
