"""Stage 1 of an import: ``kubectl get -o yaml`` output → the Kubernetes objects in it.

kubectl prints a ``List`` (several kinds at once) or, with other tools, a stream of
documents; both are read, from several files at once. YAML timestamps stay text (the
objects hold them as strings, and nothing here needs them as times). Errors name the
file and the document, never a line of it: a dump holds the namespace's Secrets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

import yaml

from aigonix_render.commands.importer.errors import DumpError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader, timestamps left as the strings they are in the objects."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, regex) for tag, regex in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class DumpSource:
    """One dump: a file's name (``-`` for standard input) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class KubeObject:
    """One object of the dump, as kubectl printed it; ``where`` says where it came from."""

    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any]
    where: str

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def labels(self) -> Mapping[str, str]:
        return _string_map(self.body["metadata"].get("labels"))

    @property
    def annotations(self) -> Mapping[str, str]:
        return _string_map(self.body["metadata"].get("annotations"))


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def read_dumps(sources: list[DumpSource]) -> list[KubeObject]:
    """Every object of every source, once; the same object twice must be the same."""
    found: dict[tuple[str, str | None, str], KubeObject] = {}
    for source in sources:
        for obj in _objects(source.name, _documents(source)):
            key = (obj.kind, obj.namespace, obj.name)
            first = found.setdefault(key, obj)
            if first.body != obj.body:
                raise DumpError(f"{obj.ref} is in the dump twice, different ({first.where}; {obj.where})")
    if not found:
        names = ", ".join(s.name for s in sources)
        raise DumpError(f"{names}: no Kubernetes objects in the dump (kubectl get ... -o yaml prints them)")
    return list(found.values())


def _documents(source: DumpSource) -> list[Any]:
    try:
        text = source.content.decode("utf-8")
    except UnicodeDecodeError:
        raise DumpError(f"{source.name}: not YAML: the file is not UTF-8 text") from None
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DumpError(f"{source.name}: not YAML: {error.problem}{at}") from None
    except yaml.YAMLError:
        raise DumpError(f"{source.name}: not YAML") from None


def _objects(name: str, documents: list[Any]) -> Iterator[KubeObject]:
    for number, document in enumerate(documents, 1):
        where = f"{name}: document {number}" if len(documents) > 1 else name
        if document is None:
            continue
        if _is_list(document):
            for index, item in enumerate(document["items"], 1):
                yield _object(item, f"{where}, item {index}")
        else:
            yield _object(document, where)


def _is_list(document: Any) -> bool:
    """``kind: List`` (kubectl, several kinds) or ``kind: <Kind>List`` (one kind)."""
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return False
    kind = document.get("kind")
    return isinstance(kind, str) and kind.endswith("List")


def _object(item: Any, where: str) -> KubeObject:
    if not isinstance(item, dict):
        raise DumpError(f"{where}: not a Kubernetes object (a {_type_name(item)}, not a mapping)")
    metadata = item.get("metadata")
    missing = [
        field
        for field, value in (
            ("apiVersion", item.get("apiVersion")),
            ("kind", item.get("kind")),
            ("metadata.name", metadata.get("name") if isinstance(metadata, dict) else None),
        )
        if not isinstance(value, str) or not value
    ]
    if missing:
        raise DumpError(f"{where}: not a Kubernetes object (no {', '.join(missing)})")
    assert isinstance(metadata, dict)
    namespace = metadata.get("namespace")
    return KubeObject(
        item["kind"], metadata["name"], namespace if isinstance(namespace, str) else None, item, where
    )


def _type_name(value: Any) -> str:
    return {str: "string", int: "number", float: "number", bool: "boolean", list: "list"}.get(
        type(value), type(value).__name__
    )


def read_source(name: str, stdin: BinaryIO) -> DumpSource:
    """A dump file, or standard input for ``-`` (read once, into memory)."""
    if name == "-":
        return DumpSource("-", stdin.read())
    try:
        with open(name, "rb") as handle:
            return DumpSource(name, handle.read())
    except OSError as error:
        raise DumpError(f"{name}: cannot read it ({error.strerror})") from None
