"""git for tests: hermetic (no hook's variables, no user or system configuration, no proxy)
and with a fixed identity, so a test's repository is the same on every machine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

IDENTITY = ("-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false")


def make_hermetic(monkeypatch: pytest.MonkeyPatch, *prefixes: str) -> None:
    """Drop git's variables (and those of ``prefixes``) and the user's and system's config."""
    for name in list(os.environ):
        if name.startswith(("GIT_", *prefixes)) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; its stdout, or the test fails with git's stderr."""
    argv = ["git", *IDENTITY, "-c", "init.defaultBranch=main", *args]
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit(root: Path, message: str) -> str:
    """Everything in ``root``'s work tree committed; the new HEAD."""
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", message)
    return git(root, "rev-parse", "HEAD").strip()
