"""Which files of a tree are never input: one rule for reading the tree and for its digest."""

from __future__ import annotations

import re
from fnmatch import translate

# '..name' is no hidden file but a name kubelet reserves: validation refuses it as an error.
_LEFTOVERS = (
    ".[!.]*",
    "*~",
    "#*#",
    "~$*",
    "*.sw[a-px]",
    "*.bak",
    "*.orig",
    "*.rej",
    "Thumbs.db",
    "desktop.ini",
)
_LEFTOVER = re.compile("|".join(f"(?:{translate(pattern)})" for pattern in _LEFTOVERS))


def unpublished(name: str) -> bool:
    """Files no one publishes on purpose: hidden ones (``.env``, ``.DS_Store``,
    ``.gitignore``, ``.#name``) and the leftovers of editors, patches and file managers."""
    return _LEFTOVER.match(name) is not None
