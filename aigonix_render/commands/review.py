"""``diff --base REF``: what a change does to the rendered output since a git revision.

Both trees, ROOT as it is at REF and as it is now, are validated and rendered in memory
(``prepare``); nothing is sealed, so no key is needed. The tree at REF is read from git's
objects (``ls-tree`` and ``cat-file``) into a private temporary folder: the working tree
and the index are never touched, and ``.gitattributes`` filters (``export-ignore``,
``export-subst``, which ``git archive`` would apply) cannot change what is compared. Only
committed bytes land there, so a ``secrets.yaml`` is as encrypted as it is in git.

Secrets are compared by their fingerprint alone (shape, encrypted source bytes,
recipients): a re-encryption with new nonces is no change, and a Secret's content,
plaintext or ciphertext, is never shown.

The core returns values; it never prints or exits. ``Review.changed`` lets the caller
pick an exit code.
"""

from __future__ import annotations

import difflib
import html
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from aigonix_render.commands.pipeline import prepare
from aigonix_render.foundation import AigonixError, InvalidInput, Problem, Severity, UsageError

if TYPE_CHECKING:
    from aigonix_render.commands.pipeline import Prepared

MARKER = "<!-- aigonix-render diff -->"
COMMENT_LIMIT = 65536
ADDED, CHANGED, REMOVED = "+", "~", "-"
_ORDER = {ADDED: 0, CHANGED: 1, REMOVED: 2}
_SKIPPED = {"kustomization.yaml"}  # kustomize's lists, not objects


class GitError(AigonixError):
    """git is missing or ROOT is not in a git repository: an outside reason (exit 3)."""


@dataclass(frozen=True)
class Change:
    """One object rendered differently at REF and now; a Secret carries no text."""

    mark: str
    kind: str
    name: str
    path: str
    before: str | None
    after: str | None
    secret: bool = False

    @property
    def line(self) -> str:
        hidden = " (values not shown)" if self.secret else ""
        return f"{self.mark} {self.kind} {self.name}{hidden}"


@dataclass(frozen=True)
class Section:
    """The changes of one output folder: ``<app>/<env>``, ``<app>/_shared``, ``_delivery/...``."""

    folder: str
    changes: tuple[Change, ...]

    def count(self, mark: str) -> int:
        return sum(1 for change in self.changes if change.mark == mark)

    @property
    def counts(self) -> str:
        added, changed, removed = (self.count(mark) for mark in (ADDED, CHANGED, REMOVED))
        return f"{added} added, {changed} changed, {removed} removed"

    @property
    def summary(self) -> str:
        return f"{self.folder}: {self.counts}"


@dataclass(frozen=True)
class Review:
    """The rendered output of ``base`` (resolved to ``commit``) against the tree now.

    ``note`` says why the base counts as empty (it did not validate, or ROOT did not
    exist there); ``problems`` are the current tree's warnings (its errors raise).
    """

    base: str
    commit: str
    sections: tuple[Section, ...]
    note: str | None
    problems: tuple[Problem, ...]

    @property
    def changed(self) -> bool:
        return bool(self.sections)

    @property
    def since(self) -> str:
        return f"{self.base} ({self.commit[:12]})"


@dataclass(frozen=True)
class _Object:
    """What a comparison needs of one output file; ``text`` is None for a Secret."""

    kind: str
    name: str
    text: str | None
    identity: str


def review(root: Path, base: str, strict: bool = False) -> Review:
    """Render ROOT at git revision ``base`` and now, and compare them per output folder.

    The current tree must validate (``InvalidInput`` otherwise, as for ``render``); a base
    that does not is taken as empty and said so in ``note``, because the command reports
    on the change, and a change may well be the fix of a broken base.
    """
    with tempfile.TemporaryDirectory(prefix="aigonix-review-") as temp:
        scratch = Path(temp)
        current = prepare(root, scratch / "out", strict)
        prefix = _prefix(root)
        commit = _commit(root, base)
        before, note = _base_objects(root, commit, prefix, scratch, f"{base} ({commit[:12]})")
    sections = _sections(before, _objects(current))
    return Review(base, commit, sections, note, tuple(current.problems))


# --- reading the tree at REF ------------------------------------------------------------


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git read-only; ``GIT_OPTIONAL_LOCKS=0`` keeps even index refreshes away."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False)
    except OSError as error:
        raise GitError(f"could not run git ({error.strerror}); --base needs git on PATH") from None


def _prefix(root: Path) -> str:
    """ROOT's folder relative to the top of its repository (``""`` at the top)."""
    result = _git(root, "rev-parse", "--show-prefix")
    if result.returncode != 0:
        raise GitError(f"{root} is not inside a git repository; --base needs one")
    return os.fsdecode(result.stdout).strip().rstrip("/")


def _commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names; a name git does not know is a usage error (exit 2)."""
    if not ref or ref.startswith("-") or "\n" in ref:
        raise UsageError(f"--base {ref!r} is not a git revision")
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise UsageError(
            f"unknown git revision {ref!r} (in CI, check out the history: actions/checkout with fetch-depth: 0)"
        )
    return result.stdout.decode("ascii").strip()


def _base_objects(
    root: Path, commit: str, prefix: str, scratch: Path, label: str
) -> tuple[dict[str, _Object], str | None]:
    """The base's objects, or none and the reason it counts as empty."""
    tree = scratch / "base"
    if not _extract(root, commit, prefix, tree):
        return {}, f"{prefix or '.'} did not exist at {label}: everything is shown as added"
    try:
        return _objects(prepare(tree, scratch / "out", False)), None
    except InvalidInput as error:
        errors = sum(1 for p in error.problems if p.severity is Severity.ERROR)
        noun = "error" if errors == 1 else "errors"
        return {}, f"the tree at {label} does not validate ({errors} {noun}): everything is shown as added"
    except AigonixError as error:
        return {}, f"the tree at {label} could not be rendered ({error}): everything is shown as added"


def _extract(root: Path, commit: str, prefix: str, into: Path) -> bool:
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


# --- comparing --------------------------------------------------------------------------


def _objects(prepared: Prepared) -> dict[str, _Object]:
    """Every object of a rendering by output path; Secrets by fingerprint, without text."""
    objects: dict[str, _Object] = {}
    for file in prepared.rendering.files:
        if PurePosixPath(file.path).name in _SKIPPED:
            continue
        kind, name = kind_and_name(file.text)
        if kind == "Secret" or "\nsops:\n" in file.text:  # an empty Secret (nothing to seal); never shown
            objects[file.path] = _Object("Secret", name or file.path, None, file.text)
        else:
            objects[file.path] = _Object(kind or "object", name or file.path, file.text, file.text)
    for secret in prepared.secrets:
        name = PurePosixPath(secret.pending.path).stem.removeprefix("secret-")
        objects[secret.pending.path] = _Object("Secret", name, None, secret.fingerprint)
    return objects


def kind_and_name(text: str) -> tuple[str, str]:
    """``kind`` and ``metadata.name`` of one rendered object, read from its lines."""
    kind = name = ""
    in_metadata = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_metadata = line.rstrip() == "metadata:"
            if line.startswith("kind:"):
                kind = _scalar(line[len("kind:") :])
        elif in_metadata and line.startswith("  name:"):
            name = _scalar(line[len("  name:") :])
        if kind and name:
            break
    return kind, name


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        loaded = yaml.safe_load(value)
        return loaded if isinstance(loaded, str) else value
    return value


def _sections(before: Mapping[str, _Object], after: Mapping[str, _Object]) -> tuple[Section, ...]:
    by_folder: dict[str, list[Change]] = {}
    for path in sorted(before.keys() | after.keys()):
        change = _change(path, before.get(path), after.get(path))
        if change is not None:
            by_folder.setdefault(PurePosixPath(path).parent.as_posix(), []).append(change)
    return tuple(
        Section(folder, tuple(sorted(changes, key=lambda c: (_ORDER[c.mark], c.kind, c.name, c.path))))
        for folder, changes in sorted(by_folder.items())
    )


def _change(path: str, old: _Object | None, new: _Object | None) -> Change | None:
    if old is not None and new is not None and old.identity == new.identity:
        return None
    mark = ADDED if old is None else REMOVED if new is None else CHANGED
    shown = new if new is not None else old
    assert shown is not None
    secret = shown.text is None or (old is not None and old.text is None)
    before = None if secret or old is None else old.text
    after = None if secret or new is None else new.text
    return Change(mark, shown.kind, shown.name, path, before, after, secret)


# --- text -------------------------------------------------------------------------------


def unified_diff(change: Change) -> str:
    """The unified diff of one object (``/dev/null`` on the missing side); none for a Secret."""
    if change.secret:
        return ""
    before = change.before.splitlines(keepends=True) if change.before is not None else []
    after = change.after.splitlines(keepends=True) if change.after is not None else []
    source = f"a/{change.path}" if change.before is not None else "/dev/null"
    target = f"b/{change.path}" if change.after is not None else "/dev/null"
    lines = difflib.unified_diff(before, after, source, target)
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def _headline(review: Review) -> str:
    if review.changed:
        return f"changes to the rendered output since {review.since}:"
    return f"no change to the rendered output since {review.since}"


def as_text(review: Review) -> str:
    """A summary per output folder, then the unified diff of every changed non-Secret object."""
    lines = [_headline(review)]
    if review.note:
        lines.append(f"note: {review.note}")
    for section in review.sections:
        lines.append(section.summary)
        lines.extend(f"  {change.line}" for change in section.changes)
    diffs = "".join(unified_diff(c) for section in review.sections for c in section.changes)
    return "\n".join(lines) + "\n" + (f"\n{diffs}" if diffs else "")


# --- markdown ---------------------------------------------------------------------------


def as_markdown(review: Review, limit: int = COMMENT_LIMIT) -> str:
    """A pull request comment: the hidden marker first, one ``<details>`` per output folder.

    Longer than ``limit`` (GitHub's 65,536 characters, counted in UTF-16 code units as
    GitHub's browser side does, so never too few), whole sections are left out from the
    end and a last line names them and says to run the command locally.
    """
    head = _markdown_head(review)
    blocks = [_markdown_section(section) for section in review.sections]
    for kept in range(len(blocks), -1, -1):
        left = _left_out(review, [s.folder + f" ({s.counts})" for s in review.sections[kept:]])
        text = "\n".join([*head, *blocks[:kept], *left])
        if _length(text) <= limit:
            return text
    left = _left_out(review, [f"all {len(blocks)} folders"])
    return _truncate("\n".join([*head, *left]), limit)


def _markdown_head(review: Review) -> list[str]:
    """The first paragraphs, each ending in a newline (they are joined by blank lines)."""
    since = f"{_code(review.base)} ({_code(review.commit[:12])})"
    if review.changed:
        line = f"Changes to the rendered output since {since}:"
    else:
        line = f"No change to the rendered output since {since}."
    head = [f"{MARKER}\n### aigonix-render diff\n", f"{line}\n"]
    if review.note:
        head.append(f"> **Note:** {html.escape(review.note, quote=False)}\n")
    return head


def _markdown_section(section: Section) -> str:
    items = "".join(f"- {_markdown_item(change)}\n" for change in section.changes)
    diffs = "".join(unified_diff(change) for change in section.changes)
    fence = _fence(diffs)
    block = f"\n{fence}diff\n{diffs}{fence}\n" if diffs else ""
    summary = html.escape(section.summary, quote=False)
    return f"<details><summary>{summary}</summary>\n\n{items}{block}\n</details>\n"


def _markdown_item(change: Change) -> str:
    hidden = " (values not shown)" if change.secret else ""
    return f"{_code(change.mark)} {html.escape(change.kind, quote=False)} {_code(change.name)}{hidden}"


def _left_out(review: Review, what: list[str]) -> list[str]:
    if not what:
        return []
    folders = html.escape("; ".join(what), quote=False)
    command = _code(f"aigonix-render diff --base {review.base}")
    return [
        f"**Left out**, the comment would be too long: {folders}. Run {command} locally to see everything.\n"
    ]


def _code(text: str) -> str:
    """``text`` as a Markdown code span that no backtick inside it can end early."""
    ticks = "`" * (_longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str) -> str:
    """A code fence longer than any backtick run in ``text``, so none can close it."""
    return "`" * max(3, _longest_backticks(text) + 1)


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _truncate(text: str, limit: int) -> str:
    """Last resort for an absurdly small limit: cut by characters, never over it."""
    text = text[: max(limit, 0)]
    while _length(text) > limit:
        text = text[:-1]
    return text
