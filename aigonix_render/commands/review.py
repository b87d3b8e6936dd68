"""``diff --base REF``: what a change does to the rendered output since a git revision.

Both trees, ROOT as it is at REF and as it is now, are validated and rendered in memory
(``prepare``); nothing is sealed, so no key is needed. The tree at REF is read from git's
objects into a private temporary folder (``revision``); the result is the values of
``review_changes``, shown by ``review_format`` (re-exported here).

Secrets are compared by their fingerprint alone (shape, encrypted source bytes,
recipients): a re-encryption with new nonces is no change, and a Secret's content,
plaintext or ciphertext, is never shown.

The core returns values; it never prints or exits. ``Review.changed`` lets the caller
pick an exit code.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from aigonix_render.commands.pipeline import prepare
from aigonix_render.commands.review_changes import ADDED, CHANGED, REMOVED, Change, Review, Section
from aigonix_render.commands.review_format import MARKER, as_markdown, as_text
from aigonix_render.commands.revision import extract_tree, resolve_commit, root_prefix
from aigonix_render.foundation import AigonixError, InvalidInput, Severity, record

if TYPE_CHECKING:
    from aigonix_render.commands.pipeline import Prepared

__all__ = [
    "MARKER",
    "Change",
    "Review",
    "Section",
    "as_markdown",
    "as_text",
    "kind_and_name",
    "review",
]

_ORDER = {ADDED: 0, CHANGED: 1, REMOVED: 2}
_SKIPPED = {"kustomization.yaml"}  # kustomize's lists, not objects


@record
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
        prefix = root_prefix(root)
        commit = resolve_commit(root, base)
        before, note = _base_objects(root, commit, prefix, scratch, f"{base} ({commit[:12]})")
    sections = _sections(before, _objects(current))
    return Review(base, commit, sections, note, tuple(current.problems))


def _base_objects(
    root: Path, commit: str, prefix: str, scratch: Path, label: str
) -> tuple[dict[str, _Object], str | None]:
    """The base's objects, or none and the reason it counts as empty."""
    tree = scratch / "base"
    if not extract_tree(root, commit, prefix, tree):
        return {}, f"{prefix or '.'} did not exist at {label}: everything is shown as added"
    try:
        return _objects(prepare(tree, scratch / "out", False)), None
    except InvalidInput as error:
        errors = sum(1 for p in error.problems if p.severity is Severity.ERROR)
        noun = "error" if errors == 1 else "errors"
        return {}, f"the tree at {label} does not validate ({errors} {noun}): everything is shown as added"
    except AigonixError as error:
        return {}, f"the tree at {label} could not be rendered ({error}): everything is shown as added"


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
    for secret in prepared.secrets:  # a sealed ConfigMap too, by its own kind
        meta = secret.pending.meta
        objects[secret.pending.path] = _Object(meta.kind, meta.name, None, secret.fingerprint)
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
