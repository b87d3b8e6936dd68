"""Stage 1, load: the files git ignores under the root, which the tree never reads.

What git ignores is never committed, so it is no part of the tree CI renders: a local
``.env``, the ``age.agekey`` that ``aigonix-render init`` keeps beside the tree. Reading it
locally (say through a committed symlink) would publish it from one machine only.

``ask`` asks git once per load, in one process started as the load starts (its answer is
awaited where the first file is read), for every ignored path under the root: ``git ls-files --others --ignored --exclude-standard --directory``, where a folder
whose whole content is ignored comes as one ``folder/`` entry, so git never walks an
ignored output folder or virtualenv (about 10 ms for a tree of 1000 microservices). A
tracked file is never ignored, whatever the patterns say.

Nothing counts as ignored outside a git work tree, without git, when git cannot answer (an
unsafe repository owner, say), or when git ignores the root as a whole (a scratch copy in
an ignored folder, such as the revision ``diff --base`` extracts under an ignored TMPDIR):
git holds none of such a tree, so it cannot tell its own files from others.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Ignored:
    """Ignored paths relative to the root, with ``/``: files, and folders (ending in ``/``)
    whose whole content is ignored."""

    files: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()

    def holds(self, relative: str) -> bool:
        """Whether git ignores the file at ``relative``."""
        if relative in self.files:
            return True
        if not self.folders:
            return False
        at = relative.find("/")
        while at != -1:
            if relative[: at + 1] in self.folders:
                return True
            at = relative.find("/", at + 1)
        return False


@dataclass(frozen=True)
class Question:
    """git asked what it ignores (``ask``), in the background: git lists while the walk scans
    the folders, and ``answer`` waits for it where the first file is read."""

    process: subprocess.Popen[bytes] | None = None

    @cached_property
    def answer(self) -> Ignored:
        """What git ignores under the root; nothing outside a git work tree, without git, or
        when the root is ignored as a whole (inside an ignored folder, git 2.39 fails on
        ``--directory``; when all it holds is ignored, git lists the root itself, ``./``)."""
        if self.process is None:
            return Ignored()
        stdout, _ = self.process.communicate()
        if self.process.returncode != 0:
            return Ignored()
        entries = [os.fsdecode(entry) for entry in stdout.split(b"\0") if entry]
        if "./" in entries:
            return Ignored()
        folders = frozenset(entry for entry in entries if entry.endswith("/"))
        return Ignored(frozenset(entries) - folders, folders)

    def wait(self) -> None:
        """Wait for git, so that its process never outlives the load."""
        _ = self.answer


def ask(root: Path) -> Question:
    """Start git (read-only, no optional locks) on what it ignores under ``root``."""
    argv = ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    pipe = subprocess.PIPE
    try:
        return Question(
            subprocess.Popen(argv, cwd=root, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, env=env)
        )
    except OSError:  # no git
        return Question()


def git_ignored(root: Path) -> Ignored:
    """What git ignores under ``root`` (``Question.answer``), asked and waited for."""
    return ask(root).answer
