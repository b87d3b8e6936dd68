"""Reading ROOT as committed at a git revision, for ``diff --base``.

The tree at REF is read from git's objects (``ls-tree`` and ``cat-file``) into a private
temporary folder: the working tree and the index are never touched, and ``.gitattributes``
filters (``export-ignore``, ``export-subst``, which ``git archive`` would apply) cannot
change what is compared. Only committed bytes land there, so a ``secrets.yaml`` is as
encrypted as it is in git. The folder is read by the same loader as the working tree, so a
private key committed at REF, or a symlink to a key file, makes the base invalid (shown as
empty), never a line of the comment. git's ignore check finds nothing to refuse there:
the temporary folder lies outside the repository, or in an ignored TMPDIR (``foundation.ignored``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from aigonix_render.foundation import AigonixError, UsageError


class GitError(AigonixError):
    """git is missing or ROOT is not in a git repository: an outside reason (exit 3)."""


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git read-only; ``GIT_OPTIONAL_LOCKS=0`` keeps even index refreshes away."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False)
    except OSError as error:
        raise GitError(f"could not run git ({error.strerror}); --base needs git on PATH") from None


def root_prefix(root: Path) -> str:
    """ROOT's folder relative to the top of its repository (``""`` at the top)."""
    result = _git(root, "rev-parse", "--show-prefix")
    if result.returncode != 0:
        raise GitError(f"{root} is not inside a git repository; --base needs one")
    return os.fsdecode(result.stdout).strip().rstrip("/")


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names; a name git does not know is a usage error (exit 2)."""
    if not ref or ref.startswith("-") or "\n" in ref:
        raise UsageError(f"--base {ref!r} is not a git revision")
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise UsageError(
            f"unknown git revision {ref!r} (in CI, check out the history: actions/checkout with fetch-depth: 0)"
        )
    return result.stdout.decode("ascii").strip()


def extract_tree(root: Path, commit: str, prefix: str, into: Path) -> bool:
    """Write ROOT's folder as committed in ``commit`` into ``into``; False if it has none."""
    tree = f"{commit}:{prefix}" if prefix else f"{commit}^{{tree}}"
    kind = _git(root, "cat-file", "-t", tree)  # after ``:`` all is a path, so no ``^{tree}``
    if kind.returncode != 0 or kind.stdout.strip() != b"tree":
        return False
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", tree)
    if listing.returncode != 0:
        raise GitError(f"git could not list {tree}: {_first_line(listing.stderr)}")
    entries = [entry for entry in _tree_entries(listing.stdout) if entry[0] != "160000"]
    contents = _blobs(root, [oid for _, oid, _ in entries])
    into.mkdir()
    # Symlinks last: no file is ever written through one, even in a forged tree.
    for mode, oid, name in sorted(entries, key=lambda entry: entry[0] == "120000"):
        _write_entry(into, name, mode, contents[oid])
    return True


def _tree_entries(listing: bytes) -> list[tuple[str, str, str]]:
    """``(mode, object id, path)`` of each ``ls-tree -z`` record."""
    entries = []
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, _, oid = meta.decode("ascii").split(" ")
        entries.append((mode, oid, os.fsdecode(name)))
    return entries


def _blobs(root: Path, oids: list[str]) -> dict[str, bytes]:
    """The contents of ``oids``, read by one ``git cat-file --batch``."""
    result = _git(root, "cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in oids).encode("ascii"))
    if result.returncode != 0:
        raise GitError(f"git could not read the tree's files: {_first_line(result.stderr)}")
    contents: dict[str, bytes] = {}
    data, at = result.stdout, 0
    while at < len(data):
        end = data.index(b"\n", at)
        header = data[at:end].decode("ascii").split(" ")
        if len(header) != 3:  # "<oid> missing": a partial clone that cannot fetch it
            raise GitError(f"git does not have the object {header[0]} of the tree at that revision")
        oid, _, size = header
        contents[oid] = data[end + 1 : end + 1 + int(size)]
        at = end + 1 + int(size) + 1
    return contents


def _write_entry(into: Path, name: str, mode: str, content: bytes) -> None:
    """One file of the tree; git never stores ``..`` or a name twice, the checks are for
    a forged object. A symlink is written as it is; the loader refuses one leaving the tree."""
    parts = PurePosixPath(name).parts
    if not parts or any(part in ("", ".", "..", ".git") for part in parts) or name.startswith("/"):
        return
    target = into.joinpath(*parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(os.fsdecode(content))
        else:
            target.write_bytes(content)
    except OSError as error:
        raise GitError(f"cannot take {name} from the tree at that revision ({error.strerror})") from None


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no reason given"
