"""``diff --live``: what the first sync of the tree would do to a running namespace.

The live objects are ``kubectl get -o yaml`` output (files, standard input, or kubectl run
by ``--from-cluster``), read as ``import`` reads them (``importer.read_dumps``); the tree's
side is rendered in memory (``live_tree``). Both sides lose what the API server sets
(``importer.compare``), then each object is added (``+``, in the tree only), changed (``~``,
with its field paths) or removed (``-``, live only: labelled as the tree's, or of a kind
the tree renders). What Kubernetes or cert-manager put in every namespace is left out.

What the render adds on purpose and what changes nothing running (its ``app.kubernetes.io``
labels on object metadata, the ``aigonix.io/sealed-from`` fingerprint, the retention
annotations) is one note each, not a difference; a tree that asks for exact adoption counts
the labels and the fingerprint like any other difference. A Secret's values are compared, never
shown, and so are those of a ConfigMap the tree seals like a Secret (an environment's kafka
files, which hold a private key). The core returns values; it never prints or exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aigonix_render.commands.cli_text import counted
from aigonix_render.commands.importer import DumpError, DumpSource
from aigonix_render.commands.importer.compare import ADDED as IN_TREE_ONLY
from aigonix_render.commands.importer.compare import (
    LEFT,
    ORDER,
    comparable,
    data_keys_only,
    differences,
    is_json,
)
from aigonix_render.commands.importer.dump import KubeObject, read_dumps
from aigonix_render.commands.importer.recognise import cluster_made
from aigonix_render.commands.live_fields import MISSING, shown, value_at
from aigonix_render.commands.live_tree import Key, TreeSide, tree_side
from aigonix_render.foundation import Problem, record
from aigonix_render.render import MANAGED_BY, RETAINED

ADDED, CHANGED, REMOVED = "+", "~", "-"
_ORDER = {ADDED: 0, CHANGED: 1, REMOVED: 2}
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
_LABELS = tuple(f"metadata.labels[app.kubernetes.io/{k}]" for k in ("name", "part-of", "managed-by"))
_SEALED_FROM = "metadata.annotations[aigonix.io/sealed-from]"
_RETAINED = tuple(f"metadata.annotations[{key}]" for key in RETAINED)


@record
class FieldChange:
    """One field of a changed object: its path, and the live and the tree's value shown."""

    path: str
    live: str
    tree: str

    @property
    def line(self) -> str:
        if self.live == self.tree:  # the same items, in another order
            return f"{self.path}: the order differs"
        return f"{self.path}: {self.live} -> {self.tree}"


@record
class ObjectChange:
    """One object the first sync would add, change or remove; a Secret's values never shown."""

    mark: str
    kind: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    secret_values: bool = False

    @property
    def line(self) -> str:
        hidden = " (values differ, not shown)" if self.secret_values else ""
        return f"{self.mark} {self.kind} {self.name}{hidden}"


@record
class LiveDiff:
    namespace: str
    application: str
    changes: tuple[ObjectChange, ...]
    notes: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def live_diff(
    root: Path,
    sources: list[DumpSource],
    environ: Mapping[str, str],
    namespace: str | None = None,
    strict: bool = False,
) -> LiveDiff:
    """Compare what ROOT renders for the namespace of the objects in ``sources`` with them."""
    objects = read_dumps(sources)
    namespace = namespace or live_namespace(objects)
    live = {
        (o.kind, o.name): o
        for o in objects
        if o.namespace == namespace or (o.kind == "Namespace" and o.name == namespace)
    }
    tree = tree_side(root, namespace, environ, strict)
    return compare(namespace, live, tree)


def live_namespace(objects: list[KubeObject]) -> str:
    """The one namespace the objects are in (kubectl lists every Namespace of the cluster)."""
    found = sorted({o.namespace for o in objects if o.namespace})
    if len(found) != 1:
        where = f"several namespaces ({', '.join(found)})" if found else "no namespace"
        raise DumpError(f"the live objects are in {where}: give the objects of one application namespace")
    return found[0]


def compare(namespace: str, live: Mapping[Key, KubeObject], tree: TreeSide) -> LiveDiff:
    changes: list[ObjectChange] = []
    noise: dict[str, int] = {}
    others: list[str] = []
    kinds = {kind for kind, _ in tree.objects}
    for key in sorted(live.keys() | tree.objects.keys()):
        obj, rendered = live.get(key), tree.objects.get(key)
        if obj is None:
            changes.append(ObjectChange(ADDED, *key))
        elif rendered is None:
            if cluster_made(obj) is not None or (
                obj.kind not in kinds and obj.labels.get(MANAGED_BY_LABEL) != MANAGED_BY
            ):
                others.append(obj.ref)
            else:
                changes.append(ObjectChange(REMOVED, *key))
        else:
            sealed = key in tree.sealed
            change = _changed(key, obj.body, rendered, key in tree.masked, noise, tree.exact, sealed)
            if change is not None:
                changes.append(change)
    changes.sort(key=lambda c: (_ORDER[c.mark], c.kind, c.name))
    notes = _notes(noise, others, tree)
    return LiveDiff(namespace, tree.application, tuple(changes), notes, tree.problems)


def _changed(
    key: Key,
    live: Mapping[str, Any],
    tree: Mapping[str, Any],
    masked: bool,
    noise: dict[str, int],
    exact: bool,
    sealed: bool = False,
) -> ObjectChange | None:
    secret = key[0] == "Secret" or sealed
    if sealed and masked and key[0] != "Secret":
        live, tree = data_keys_only(live), data_keys_only(tree)  # no key opens it
    before, after = comparable(live, masked), comparable(tree, masked)
    fields: list[FieldChange] = []
    values = False
    said: set[str] = set()
    for difference in differences(live, tree, mask_secrets=masked):
        path = difference.path
        kind = _noise(path, exact)
        if kind is not None:
            if kind not in said:
                noise[kind] = noise.get(kind, 0) + 1
                said.add(kind)
        elif secret and _holds_values(path):
            values = True
        elif difference.what == ORDER:
            fields.append(FieldChange(path, "", ""))
        else:
            old = MISSING if difference.what == IN_TREE_ONLY else value_at(before, path)
            new = MISSING if difference.what == LEFT else value_at(after, path)
            fields.extend(_field_changes(path, old, new))
    if not fields and not values:
        return None
    return ObjectChange(CHANGED, *key, tuple(fields), values)


# Where a Secret, or a ConfigMap sealed like one, holds values: never shown, whichever of
# them the live object uses (a live object may hold anything).
_VALUE_FIELDS = ("data", "stringData", "binaryData")


def _holds_values(path: str) -> bool:
    """``data``, ``data.KEY``, ``data[KEY]`` and the same under stringData and binaryData."""
    return any(path == f or path.startswith((f + "[", f + ".")) for f in _VALUE_FIELDS)


def _field_changes(path: str, old: Any, new: Any) -> list[FieldChange]:
    """One field; a JSON document on both sides (a ConfigMap's file) field by field inside."""
    if not (is_json(old) and is_json(new)):
        return [FieldChange(path, shown(old), shown(new))]
    inner = differences({"kind": "", "document": old[1]}, {"kind": "", "document": new[1]})
    found = []
    for difference in inner:
        sub = difference.path.removeprefix("document")
        if difference.what == ORDER:
            found.append(FieldChange(path + sub, "", ""))
            continue
        before = MISSING if difference.what == IN_TREE_ONLY else value_at(old[1], sub)
        after = MISSING if difference.what == LEFT else value_at(new[1], sub)
        found.append(FieldChange(path + sub, shown(before), shown(after)))
    return found or [FieldChange(path, "(the same JSON, other bytes)", "(the tree's bytes)")]


def _noise(path: str, exact: bool) -> str | None:
    """Which difference the render makes on purpose this is, or None for a real one; with
    exact adoption only the retention annotations are."""
    if path in _RETAINED:
        return "retained"
    if exact:
        return None
    if path in _LABELS:
        return "labels"
    if path == _SEALED_FROM:
        return "sealed-from"
    return None


def _secrets_first(kind: str) -> tuple[bool, str]:
    """Secrets, then the ConfigMaps sealed like them."""
    return kind != "Secret", kind


def _notes(noise: Mapping[str, int], others: list[str], tree: TreeSide) -> tuple[str, ...]:
    notes = []
    if noise.get("labels"):
        notes.append(
            f"the tree adds the labels app.kubernetes.io/name, part-of and managed-by to "
            f"{counted(noise['labels'], 'object')} (metadata only, not pod templates: nothing restarts); "
            "not counted"
        )
    if noise.get("sealed-from"):
        notes.append(
            f"the annotation aigonix.io/sealed-from (the render's fingerprint of a sealed Secret) differs on "
            f"{counted(noise['sealed-from'], 'Secret')}; not counted"
        )
    if noise.get("retained"):
        retained = ", ".join(f"{k}: {v}" for k, v in RETAINED.items())
        notes.append(
            f"the tree adds {retained} to {counted(noise['retained'], 'object')} (neither Argo CD nor Flux "
            "prunes what holds data); not counted"
        )
    if others:
        notes.append(
            f"left out, not the tree's (Kubernetes, cert-manager or other kinds): {', '.join(others)}"
        )
    if tree.unopened:
        kinds = [kind for kind, _ in tree.masked]
        masked = " and ".join(counted(kinds.count(k), k) for k in sorted(set(kinds), key=_secrets_first))
        notes.append(
            f"{masked} compared by their keys only, not by value: no age key "
            f"decrypts {', '.join(tree.unopened)} (set SOPS_AGE_KEY_FILE)"
        )
    return tuple(notes)
