"""Stage 1, load: the files the tree never reads, by their path: key files and what git ignores.

``refused_path`` runs before a file of the tree is read (``place.read_yaml`` for every YAML
file, ``folders`` for every config file), on the path the walk reached and, when that is a
symlink, on the path inside the root it leads to: a committed ``files/settings.txt`` that
leads to the git-ignored ``age.agekey`` is refused before a byte of the key is read. What
a file holds is checked where its bytes are read (``reading.read_file``). A refusal is an
error at line 1, column 1 of the path reached; it never quotes the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from aigonix_render.foundation import Ignored, Problem, tree_relative
from aigonix_render.load.secret_keys import key_file_name

KEY_FILE = "a key file by its name: private keys are never read as input; keep key files out of the tree"
IGNORED = "git does not commit it, so it is never read as input (the tree CI renders has no such file)"


def refused_path(root: Path, ignored: Ignored, relative: str, link: bool | None = None) -> Problem | None:
    """The error that refuses the file at ``relative`` (from ``root``, with ``/``) before it
    is read, or None: a key file by its name, or a file git ignores; for a symlink, also
    the file it leads to inside the root (one outside is refused where it is read).
    ``link``: whether the file is a symlink, when the caller knows already."""
    why = _why(ignored, relative, "")
    path = f"{root}/{relative}"
    if why is None and (os.path.islink(path) if link is None else link):
        target = tree_relative(root, path)
        if target is not None and target != relative:
            why = _why(ignored, target, f"a symlink to {target}, ")
    return Problem(relative, 1, 1, why) if why is not None else None


def _why(ignored: Ignored, relative: str, symlink: str) -> str | None:
    if key_file_name(relative):
        return f"{symlink}{KEY_FILE}"
    if ignored.holds(relative) and ignored.untracked:
        return f"{symlink}{'which git does not track' if symlink else 'not tracked by git'}: {IGNORED}"
    if ignored.holds(relative):
        return f"{symlink}{'which git ignores' if symlink else 'ignored by git'}: {IGNORED}"
    return None
