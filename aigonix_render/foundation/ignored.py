"""The files git ignores under the root, which the load never reads and a no-op render
never takes for unchanged input (``write.inputs``).

What git ignores is never committed, so it is no part of the tree CI renders: a local
``.env``, the ``age.agekey`` that ``aigonix-render init`` keeps beside the tree. Reading it
locally (say through a committed symlink) would publish it from one machine only.

``ask`` asks git once per load (and once per no-op render, ``write.marker``), in one
process started as the load starts (its answer is awaited where the first file is read),
for every ignored path under the root: ``git ls-files --others --ignored --exclude-standard --directory``, where a folder
whose whole content is ignored comes as one ``folder/`` entry, so git never walks an
ignored output folder or virtualenv (about 10 ms for a tree of 1000 microservices). A
tracked file is never ignored, whatever the patterns say.

Nothing counts as ignored outside a git work tree, without git, when git cannot answer (an
unsafe repository owner, say), or when git ignores the root as a whole (a scratch copy in
an ignored folder, such as the revision ``diff --base`` extracts under an ignored TMPDIR):
git holds none of such a tree, so it cannot tell its own files from others.

With ``tracked_only`` (``validate --tracked-only``, the pre-commit hook), the same one
process lists every path git does not track, ignored or not (``--others --directory``
without ``--exclude-standard``), and such a path is absent, as it is from the commit: a
``secrets.yaml`` never ``git add``-ed fails the hook as a missing file. There the tree must
be in a git work tree, with something under the root tracked (``UsageError`` otherwise).
"""

from __future__ import annotations

import os
import subprocess
from functools import cached_property
from pathlib import Path

from aigonix_render.foundation.errors import UsageError
from aigonix_render.foundation.records import record


@record
class Ignored:
    """Ignored paths relative to the root, with ``/``: files, and folders (ending in ``/``)
    whose whole content is ignored."""

    files: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()
    untracked: bool = False
    """The paths are every one git does not track (``tracked_only``): absent, not refused."""

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


@record
class Question:
    """git asked what it ignores (``ask``), in the background: git lists while the walk scans
    the folders, and ``answer`` waits for it where the first file is read."""

    process: subprocess.Popen[bytes] | None = None
    tracked_only: bool = False

    @cached_property
    def answer(self) -> Ignored:
        """What git ignores under the root; nothing outside a git work tree, without git, or
        when the root is ignored as a whole (inside an ignored folder, git 2.39 fails on
        ``--directory``; when all it holds is ignored, git lists the root itself, ``./``)."""
        if self.process is None:
            return _untracked_unknown("git is not installed") if self.tracked_only else Ignored()
        stdout, stderr = self.process.communicate()
        if self.process.returncode != 0:
            why = os.fsdecode(stderr).strip().splitlines()[:1] or ["git failed"]
            return _untracked_unknown(why[0]) if self.tracked_only else Ignored()
        entries = [os.fsdecode(entry) for entry in stdout.split(b"\0") if entry]
        if "./" in entries:
            return _untracked_unknown("git tracks no file in it") if self.tracked_only else Ignored()
        folders = frozenset(entry for entry in entries if entry.endswith("/"))
        return Ignored(frozenset(entries) - folders, folders, self.tracked_only)

    def wait(self) -> None:
        """Wait for git, so that its process never outlives the load."""
        _ = self.answer

    def stop(self) -> None:
        """End git, its answer read or not needed: its process never outlives the caller."""
        if self.process is not None and "answer" not in self.__dict__:
            self.process.kill()
            self.process.communicate()


def _untracked_unknown(why: str) -> Ignored:
    raise UsageError(f"--tracked-only needs the tree in a git work tree ({why})")


def ask(root: Path, tracked_only: bool = False) -> Question:
    """Start git (read-only, no optional locks) on what it ignores under ``root``; with
    ``tracked_only``, on every path it does not track."""
    which = [] if tracked_only else ["--ignored", "--exclude-standard"]
    argv = ["git", "ls-files", "-z", "--others", *which, "--directory"]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    pipe = subprocess.PIPE
    try:
        return Question(
            subprocess.Popen(argv, cwd=root, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, env=env),
            tracked_only,
        )
    except OSError:  # no git
        return Question(None, tracked_only)


def git_ignored(root: Path) -> Ignored:
    """What git ignores under ``root`` (``Question.answer``), asked and waited for."""
    return ask(root).answer
