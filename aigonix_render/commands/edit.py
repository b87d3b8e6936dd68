"""``set image`` and ``set env``: change one value of a microservice's aigonix.yaml in place.

The one job: the file afterwards differs from the file before in exactly the changed value,
so that an image bump is a one-line diff, and the tree still validates.

The text edit itself, guided by ruamel and read back before it is used, is ``yaml_edit``'s
(which refuses a value shared through a YAML anchor). Then the tree is validated with the
edited text in memory (``edited_tree``: nothing is copied or written), and only a valid tree
replaces the file, atomically. Loading, editing and replacing happen under the tree's lock
(``tree_lock``), so two ``set`` at once never lose one of their edits.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aigonix_render.commands.edited_tree import validate_edited
from aigonix_render.commands.tree_lock import tree_lock
from aigonix_render.commands.yaml_edit import EditError, as_mapping, read_document, safe_edit, value_at
from aigonix_render.foundation import (
    InvalidInput,
    Problem,
    Severity,
    UsageError,
    has_errors,
    record,
    replace_file,
)
from aigonix_render.load import ApplicationFolder, MicroserviceFolder, Tree, load_tree

__all__ = ["EditError", "SetResult", "set_env", "set_image", "split_assignment"]


@record
class SetResult:
    """What ``set`` did to ``path`` (relative to the root); ``warnings`` are at the edited lines."""

    path: str
    key: str
    changed: bool
    old: str | None
    new: str
    warnings: tuple[Problem, ...] = ()

    def summary(self) -> str:
        """One line for people: what changed where, or that nothing had to."""
        if not self.changed:
            return f"{self.path}: {self.key} is already {self.new!r}, unchanged"
        before = "unset" if self.old is None else repr(self.old)
        return f"{self.path}: {self.key} {before} -> {self.new!r}"


def set_image(root: Path, microservice: str, image: str, environment: str | None = None) -> SetResult:
    """Set ``head.image``, in ``environments.<environment>`` when one is given."""
    with tree_lock(root):
        tree, problems = load_tree(root)
        target = _find(tree, problems, microservice)
        return _apply(tree, problems, target, _keys(target, environment, ("head", "image")), image)


def set_env(
    root: Path, microservice: str, name: str, value: str, environment: str | None = None
) -> SetResult:
    """Set the env var ``name`` to the string ``value``; a declared secret is refused."""
    with tree_lock(root):
        tree, problems = load_tree(root)
        target = _find(tree, problems, microservice)
        keys = _keys(target, environment, ("env", name))
        _refuse_secret(target, name, keys)
        return _apply(tree, problems, target, keys, value)


def split_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` → (NAME, VALUE); the value may hold ``=`` itself."""
    name, equals, value = text.partition("=")
    if not name or not equals:
        raise UsageError(f"expected NAME=VALUE, got {text!r}")
    return name, value


# The microservice and the keys that lead to the value.


@record
class _Target:
    application: ApplicationFolder
    microservice: MicroserviceFolder

    @property
    def app_name(self) -> str:
        return str(self.application.document.data.get("name"))

    @property
    def label(self) -> str:
        return f"{self.app_name}/{self.microservice.document.data.get('name')}"

    def named(self, wanted: str) -> bool:
        """``name`` or ``app/name``, in any case."""
        return wanted.lower() in (self.label.lower(), self.label.lower().partition("/")[2])


def _find(tree: Tree, problems: list[Problem], wanted: str) -> _Target:
    """The one microservice ``wanted`` names; a tree that could not be loaded whole (its
    manifest a FIFO, say) says so rather than that it has no such microservice."""
    targets = [_Target(app, ms) for app in tree.applications for ms in app.microservices]
    matches = [t for t in targets if t.named(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise EditError(f"{wanted!r} names several microservices, say which: {_labels(matches)}")
    if has_errors(problems, strict=False):
        raise InvalidInput(problems)
    raise EditError(f"no microservice {wanted!r}; the tree has: {_labels(targets) or 'none'}")


def _labels(targets: list[_Target]) -> str:
    return ", ".join(t.label for t in targets)


def _keys(target: _Target, environment: str | None, tail: tuple[str, ...]) -> tuple[str, ...]:
    if environment is None:
        return tail
    declared = as_mapping(target.application.document.data.get("environments"))
    if environment in declared:
        return ("environments", environment, *tail)
    known = ", ".join(declared) or "none"
    raise EditError(
        f"application {target.app_name!r} has no environment {environment!r} (names are case-sensitive): {known}"
    )


def _refuse_secret(target: _Target, name: str, keys: tuple[str, ...]) -> None:
    if name in (target.microservice.document.data.get("secrets") or []):
        environment = keys[1] if keys[0] == "environments" else "<Env>"
        where = f"{target.microservice.folder}/environments/{environment}/secrets.yaml"
        raise EditError(f"{name} is a secret of {target.label}: use sops edit {where}")


# Apply: edit in memory, validate the edited tree in memory, write.


def _apply(
    tree: Tree, problems: list[Problem], target: _Target, keys: tuple[str, ...], value: str
) -> SetResult:
    """Edit the text the tree was loaded from; ``problems``: those met loading ``tree``."""
    relative = target.microservice.document.path
    text = target.microservice.document.source
    current = value_at(read_document(text), keys)
    key = ".".join(keys)
    if isinstance(current, str) and current == value:
        return SetResult(relative, key, False, current, value)
    edit = safe_edit(text, keys, value, relative)
    old = current if isinstance(current, str | None) else text[edit.start : edit.end].strip()
    after = edit.applied(text)
    warnings = _validated(tree, problems, relative, after, edit.lines(text))
    _replace(tree.root / relative, text, after)
    return SetResult(relative, key, True, old, value, warnings)


def _validated(
    tree: Tree, loaded: list[Problem], relative: str, text: str, lines: range
) -> tuple[Problem, ...]:
    """Validate the tree with ``relative`` holding ``text``; the warnings at ``lines``."""
    problems = validate_edited(tree, loaded, relative, text)
    if has_errors(problems, strict=False):
        raise InvalidInput(problems)
    return tuple(
        p for p in problems if p.severity is Severity.WARNING and p.file == relative and p.line in lines
    )


def _replace(path: Path, before: str, after: str) -> None:
    """Replace ``before`` with ``after``, unless someone changed the file in the meantime."""
    path = path.resolve()  # a symlinked aigonix.yaml stays a symlink; its target is edited
    if _current(path) != before.encode("utf-8"):
        raise EditError(f"{path.name} changed while it was being edited; run the command again")
    replace_file(path, after.encode("utf-8"))


def _current(path: Path) -> bytes | None:
    """The file's bytes now; None when it is gone or no longer a regular file (a FIFO put in
    its place is never opened for a blocking read)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(os.dup(descriptor), "rb") as file:
            return file.read()
    finally:
        os.close(descriptor)
