"""The rendered objects: what each is, read from its head, and what a rule finds in one.

One match of ``_HEAD`` says what an object is (``read_object``: group, kind, name,
namespace, labels); the labels and annotations blocks are kept as written for ``blocks``,
and where its ``spec`` starts for the few rules that read it whole (``spec_of``). Text in
any other style is read by libyaml (``object_from_data``), as is the metadata of a Secret
the seal stage fills (``pending_object``). A rule's ``Finding`` is one field it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from aigonix_render.check.reader import (
    UnusualText,
    as_mapping,
    read_block,
    read_labels,
    read_libyaml,
    read_scalar,
    value_at,
    value_end,
)
from aigonix_render.foundation import record
from aigonix_render.render import KUSTOMIZATION, PendingSecret, Rendering


class RenderedObject(NamedTuple):
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
    """The metadata's labels and annotations as written, for ``block_rules``."""
    spec: int = -1
    """Where the text's ``spec:`` line is (found after the metadata: keys are sorted)."""

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    def title(self) -> str:
        namespace = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind} {self.name}{namespace}"


def object_from_data(path: str, body: dict[str, Any], text: str = "") -> RenderedObject:
    metadata = value_at(body, "metadata")
    namespace = value_at(metadata, "namespace")
    return RenderedObject(
        path,
        body,
        text,
        str(value_at(body, "apiVersion")).rpartition("/")[0],
        str(value_at(body, "kind")),
        str(value_at(metadata, "name")),
        None if namespace is None else str(namespace),
        as_mapping(value_at(metadata, "labels")),
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


def rendered_objects(rendering: Rendering) -> Iterator[RenderedObject]:
    for file in rendering.files:
        if file.path.rpartition("/")[2] != KUSTOMIZATION:
            yield read_object(file.path, file.text)


def read_object(path: str, text: str) -> RenderedObject:
    """An object in render's canonical style read from its head, else read by libyaml."""
    api = _API_VERSION.match(text)
    kind_at = text.find("\nkind: ") + 1
    head = _HEAD.match(text, kind_at) if api and kind_at else None
    try:
        if api is None or head is None:
            raise UnusualText
        kind, annotations, labels, name, namespace = head.groups()
        return RenderedObject(
            path,
            None,
            text,
            str(read_scalar(api[1])).rpartition("/")[0],
            str(read_scalar(kind)),
            str(read_scalar(name)),
            None if namespace is None else str(read_scalar(namespace)),
            read_labels(labels) if labels else {},
            ((("labels", labels),) if labels else ())
            + ((("annotations", annotations),) if annotations else ()),
            text.find("\nspec:\n", head.end() - 1),
        )
    except UnusualText:
        return object_from_data(path, read_libyaml(text), text)


def pending_object(secret: PendingSecret) -> RenderedObject:
    """A Secret the seal stage will fill: its metadata is all there is to check now."""
    meta = secret.meta
    metadata: dict[str, Any] = {"name": meta.name, "labels": dict(meta.labels)}
    if meta.annotations:
        metadata["annotations"] = dict(meta.annotations)
    if meta.namespace:
        metadata["namespace"] = meta.namespace
    return object_from_data(secret.path, {"apiVersion": "v1", "kind": meta.kind, "metadata": metadata})


def spec_of(obj: RenderedObject) -> Any:
    """The ``spec`` of the kinds whose rules read it (routes, a StatefulSet's claims, a
    CronJob's schedule, the folder a delivery object syncs): small, and read whole."""
    if obj.data is not None or obj.spec < 0:
        return value_at(obj.data, "spec")
    start = obj.spec + len("\nspec:\n")
    try:
        return read_block(obj.text[start : value_end(obj.text, start - 1, 0)])
    except UnusualText:
        return value_at(read_libyaml(obj.text), "spec")


@record
class Finding:
    """One field of one object the API server would refuse; ``value`` (or a test of it)
    finds where the input wrote it."""

    field: str
    message: str
    value: Any = None
