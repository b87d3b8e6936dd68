"""Stage 1 of an import: ``kubectl get -o yaml`` output → the Kubernetes objects in it.

kubectl prints a ``List`` (several kinds at once) or, with other tools, a stream of
documents; both are read, from several files at once. YAML timestamps stay text (the
objects hold them as strings, and nothing here needs them as times). Errors name the
file and the document, never a line of it: a dump holds the namespace's Secrets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.commands.importer.yaml_in import load_documents
from aigonix_render.foundation import record

# A dump holds a whole namespace (and kubectl may print managedFields): more than the one
# aigonix.yaml that ``load.MAX_FILE_BYTES`` bounds, so a limit of its own; aliases and
# depth are bounded as in the tree (``yaml_in``).
DUMP_MAX_BYTES = 64 * 1024 * 1024


@record
class DumpSource:
    """One dump: a file's name (``-`` for standard input) and its bytes."""

    name: str
    content: bytes


@record
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
                message = f"{obj.ref} is in the dump twice, different ({first.where}; {obj.where})"
                raise DumpError(message)
    if not found:
        names = ", ".join(s.name for s in sources)
        raise DumpError(f"{names}: no Kubernetes objects in the dump (kubectl get ... -o yaml prints them)")
    return list(found.values())


def _documents(source: DumpSource) -> list[Any]:
    if len(source.content) > DUMP_MAX_BYTES:
        raise DumpError(_too_large(source.name))
    try:
        text = source.content.decode("utf-8")
    except UnicodeDecodeError:
        raise DumpError(f"{source.name}: not YAML: the file is not UTF-8 text") from None
    return load_documents(source.name, text)


def _too_large(name: str) -> str:
    return f"{name}: larger than {DUMP_MAX_BYTES // (1024 * 1024)} MiB: not a dump this tool reads"


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
    """A dump file, or standard input for ``-`` (read once, into memory, up to the limit)."""
    if name == "-":
        return _bounded("-", stdin)
    try:
        with open(name, "rb") as handle:
            return _bounded(name, handle)
    except OSError as error:
        raise DumpError(f"{name}: cannot read it ({error.strerror})") from None


def _bounded(name: str, stream: BinaryIO) -> DumpSource:
    content = stream.read(DUMP_MAX_BYTES + 1)
    if len(content) > DUMP_MAX_BYTES:
        raise DumpError(_too_large(name))
    return DumpSource(name, content)
