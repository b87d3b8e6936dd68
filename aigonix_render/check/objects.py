"""The rendered objects: what each is, read from its head, and what a rule finds in one.

One match of ``_HEAD`` says what an object is (group, kind, name, namespace, labels); the
labels and annotations blocks are kept as written for ``blocks``, and where its ``spec``
starts for the few rules that read it whole (``_spec``). Text in any other style is read by
libyaml (``_object``), as is the metadata of a Secret the seal stage fills (``_pending``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from aigonix_render.check.reader import (
    _at,
    _libyaml,
    _mapping,
    _parsed,
    _read_block,
    _scalar,
    _Unusual,
    _value_end,
)
from aigonix_render.render import KUSTOMIZATION, PendingSecret, Rendering


class _Object(NamedTuple):
    """One rendered object: where it is written and what it is, read from the head of its
    ``text``; ``data`` is the whole object where libyaml read it instead (or the metadata
    of a Secret the seal stage fills)."""

    path: str
    data: dict[str, Any] | None
    text: str
    group: str
    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, Any]
    blocks: tuple[tuple[str, str], ...] = ()
    """The metadata's labels and annotations as written, for ``_block_rules``."""
    spec: int = -1
    """Where the text's ``spec:`` line is (found after the metadata: keys are sorted)."""

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    def title(self) -> str:
        namespace = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind} {self.name}{namespace}"


def _object(path: str, body: dict[str, Any], text: str = "") -> _Object:
    metadata = _at(body, "metadata")
    namespace = _at(metadata, "namespace")
    return _Object(
        path,
        body,
        text,
        str(_at(body, "apiVersion")).rpartition("/")[0],
        str(_at(body, "kind")),
        str(_at(metadata, "name")),
        None if namespace is None else str(namespace),
        _mapping(_at(metadata, "labels")),
    )


# The head of an object as the templates and the ``metadata`` filter write it: one match
# says what each object is (a ConfigMap's data comes between apiVersion and kind).
_API_VERSION = re.compile(r"apiVersion: (.*)\n")
_HEAD = re.compile(
    r"kind: (.*)\n"
    r"metadata:\n"
    r"(?:  annotations:\n((?:    .*\n|\n)+))?"
    r"(?:  labels:\n((?:    .*\n)+))?"
    r"  name: (.*)\n"
    r"(?:  namespace: (.*)\n)?"
)


def _read_files(rendering: Rendering) -> Iterator[_Object]:
    for file in rendering.files:
        if file.path.rpartition("/")[2] != KUSTOMIZATION:
            yield _read(file.path, file.text)


def _read(path: str, text: str) -> _Object:
    """An object in render's canonical style read from its head, else read by libyaml."""
    api = _API_VERSION.match(text)
    kind_at = text.find("\nkind: ") + 1
    head = _HEAD.match(text, kind_at) if api and kind_at else None
    try:
        if api is None or head is None:
            raise _Unusual
        kind, annotations, labels, name, namespace = head.groups()
        return _Object(
            path,
            None,
            text,
            str(_scalar(api[1])).rpartition("/")[0],
            str(_scalar(kind)),
            str(_scalar(name)),
            None if namespace is None else str(_scalar(namespace)),
            _parsed(labels) if labels else {},
            ((("labels", labels),) if labels else ())
            + ((("annotations", annotations),) if annotations else ()),
            text.find("\nspec:\n", head.end() - 1),
        )
    except _Unusual:
        return _object(path, _libyaml(text), text)


def _pending(secret: PendingSecret) -> _Object:
    """A Secret the seal stage will fill: its metadata is all there is to check now."""
    meta = secret.meta
    metadata: dict[str, Any] = {"name": meta.name, "labels": dict(meta.labels)}
    if meta.annotations:
        metadata["annotations"] = dict(meta.annotations)
    if meta.namespace:
        metadata["namespace"] = meta.namespace
    return _object(secret.path, {"apiVersion": "v1", "kind": meta.kind, "metadata": metadata})


def _spec(obj: _Object) -> Any:
    """The ``spec`` of the kinds whose rules read it (routes, a StatefulSet's claims, a
    CronJob's schedule, the folder a delivery object syncs): small, and read whole."""
    if obj.data is not None or obj.spec < 0:
        return _at(obj.data, "spec")
    start = obj.spec + len("\nspec:\n")
    try:
        return _read_block(obj.text[start : _value_end(obj.text, start - 1, 0)])
    except _Unusual:
        return _at(_libyaml(obj.text), "spec")


@dataclass(frozen=True)
class _Finding:
    """One field of one object the API server would refuse; ``value`` (or a test of it)
    finds where the input wrote it."""

    field: str
    message: str
    value: Any = None
