"""Editing one value of a YAML file in place: the file afterwards differs from the file before
in exactly the changed value, and reads back as exactly this one change.

Why ruamel guides a text edit instead of dumping the document: ruamel's round trip keeps
comments, key order and quotes, but a dump re-emits every line, and even with the file's
guessed indentation, ``width = 4096`` and ``preserve_quotes`` it rewrites lines nobody
touched (``{ a: b }`` becomes ``{a: b}``, ``[a,b]`` becomes ``[a, b]``). So ruamel only
*composes* the file: its nodes tell where the scalar to change starts and ends (character
offsets), how it is quoted, and where the mapping that should hold a missing key ends and at
which column its keys stand. The edit replaces exactly those characters, or inserts the
missing keys after the mapping's last line (or inside its braces when it is a flow mapping);
new nested levels use the file's own mapping indentation. Everything else — ``---``,
comments, blank lines, a Flux ``# {"$imagepolicy": ...}`` marker after the image — is never
rewritten because it is never touched.

Every edit is read back before it is used: the new document must equal the old one with only
this value changed; if the plain spelling is read differently, the quoted one is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aigonix_render.commands.yaml_shared import compose, entry, shared_on_path
from aigonix_render.foundation import EXIT_INVALID, AigonixError, fast_yaml, quoted, record

_YAML_1_1 = yaml.resolver.Resolver()


class EditError(AigonixError):
    """The command names something the tree does not have, or asks for a forbidden edit."""

    exit_code = EXIT_INVALID


def as_mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (a missing value holds no keys)."""
    return value if isinstance(value, dict) else {}


# Reading the values as the loader does: libyaml first, ruamel where libyaml gives up.


def read_document(text: str) -> Any:
    """The document as ruamel reads it (YAML 1.2; a trailing ``---`` ends the stream)."""
    return next(iter(YAML(typ="safe", pure=True).load_all(text)), None)


def _read_fast(text: str) -> Any:
    """The document as the loader's fast libyaml path reads it; None where it gives up."""
    documents = fast_yaml.load_all(text)
    return documents[0] if documents else None


def value_at(data: Any, keys: Sequence[str]) -> Any:
    """What ``data`` holds at ``keys``; None where a key is missing."""
    for key in keys:
        data = as_mapping(data).get(key)
    return data


def _with(data: Any, keys: Sequence[str], value: str) -> Any:
    """``data`` with ``value`` at ``keys``, missing mappings created (what the edit must give)."""
    holder = data
    for key in keys[:-1]:
        holder = holder.setdefault(key, {})
    holder[keys[-1]] = value
    return data


def _reads_as(before: str, after: str, keys: Sequence[str], value: str) -> bool:
    """Both readers see in ``after`` what they see in ``before``, with only ``value`` set."""
    return all(_agrees(read, before, after, keys, value) for read in (read_document, _read_fast))


def _agrees(read: Callable[[str], Any], before: str, after: str, keys: Sequence[str], value: str) -> bool:
    old = read(before)
    if old is None:
        return True  # this reader leaves the file to the other one
    try:
        return bool(read(after) == _with(old, keys, value))
    except YAMLError:
        return False


# The text edit.


@record
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str

    def applied(self, text: str) -> str:
        return text[: self.start] + self.new + text[self.end :]

    def lines(self, text: str) -> range:
        first = text.count("\n", 0, self.start) + 1
        return range(first, first + self.new.count("\n") + 1)


def safe_edit(text: str, keys: Sequence[str], value: str, name: str) -> Edit:
    """The first spelling of the edit that reads back as exactly this one change; refused
    where the path reaches a value shared through an anchor (``name``: the file, for that)."""
    shared = shared_on_path(compose(text), keys)
    if shared is not None:
        raise EditError(shared.message(name))
    for quote in (False, True):
        edit = _plan(text, keys, value, quote)
        if _reads_as(text, edit.applied(text), keys, value):
            return edit
    raise EditError(f"cannot write {value!r} at {'.'.join(keys)} safely; edit the file by hand")


def _plan(text: str, keys: Sequence[str], value: str, quote: bool) -> Edit:
    root = mapping = compose(text)
    for depth, key in enumerate(keys):
        found = entry(mapping, key)
        if found is None:
            return _insertion(text, mapping, keys[depth:], _scalar(value, "", quote), _indent(root))
        if depth == len(keys) - 1:
            return _replacement(text, *found, value, quote)
        if not isinstance(found[1], MappingNode):
            raise EditError(f"{'.'.join(keys[: depth + 1])} is not a mapping; edit the file by hand")
        mapping = found[1]
    raise AssertionError("keys is never empty")


def _replacement(text: str, key: Node, node: Node, value: str, quote: bool) -> Edit:
    if not isinstance(node, ScalarNode):
        raise EditError(f"{key.value} holds a mapping or list, not a single value; edit the file by hand")
    if _empty(node):  # `KEY:` with nothing after the colon
        colon = _after_colon(text, key)
        return Edit(colon, colon, " " + _scalar(value, "", quote))
    old = text[node.start_mark.index : node.end_mark.index]
    if old[0] in ("&", "*"):
        raise EditError(f"{key.value} is a YAML anchor or alias; edit the file by hand")
    tail = old[len(old.rstrip()) :]  # a block scalar owns the line breaks after it
    return Edit(node.start_mark.index, node.end_mark.index, _scalar(value, old[0], quote) + tail)


def _after_colon(text: str, key: Node) -> int:
    return text.index(":", key.end_mark.index) + 1


def _insertion(text: str, mapping: MappingNode, keys: Sequence[str], scalar: str, indent: int) -> Edit:
    """The missing ``keys`` with the value's spelling ``scalar``, at the end of ``mapping``."""
    names = [_scalar(key, "", quote=False) for key in keys]
    if mapping.flow_style:
        return _flow_insertion(text, mapping, names, scalar)
    at = _line_after(text, _last_index(text, mapping))
    newline = "\r\n" if "\r\n" in text else "\n"
    block = newline.join(_block_lines(names, scalar, mapping.value[0][0].start_mark.column, indent))
    if at == len(text) and not text.endswith("\n"):
        return Edit(at, at, newline + block)  # the file ends without a line break; so it stays
    return Edit(at, at, block + newline)


def _flow_insertion(text: str, mapping: MappingNode, names: list[str], scalar: str) -> Edit:
    nested = scalar
    for name in reversed(names[1:]):
        nested = f"{{{name}: {nested}}}"
    if not mapping.value:
        at = text.index("{", mapping.start_mark.index) + 1
        return Edit(at, at, f"{names[0]}: {nested}")
    at = _entry_end(text, *mapping.value[-1])
    return Edit(at, at, f", {names[0]}: {nested}")


def _block_lines(names: list[str], scalar: str, column: int, indent: int) -> list[str]:
    lines = [" " * (column + depth * indent) + f"{name}:" for depth, name in enumerate(names)]
    lines[-1] += f" {scalar}"
    return lines


def _indent(root: MappingNode) -> int:
    """The file's mapping indentation: how far in the keys of its first nested block mapping
    stand (ruamel's ``load_yaml_guess_indent`` answers for sequences where the file has any)."""
    for key, value in root.value:
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            return max(int(value.value[0][0].start_mark.column - key.start_mark.column), 1)
    return 2


def _last_index(text: str, node: Node) -> int:
    """Where the last value inside ``node`` ends (nested block collections followed down)."""
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        if not isinstance(last, tuple):
            return _last_index(text, last)
        return _entry_end(text, *last)
    return int(node.end_mark.index)


def _entry_end(text: str, key: Node, value: Node) -> int:
    """Where a mapping entry ends; an empty value has no extent of its own, so after the colon;
    an alias's node is the anchored one, which stands before the key: its ``*name`` ends it."""
    if value.start_mark.index < key.end_mark.index and value.anchor:
        alias = "*" + value.anchor
        return text.index(alias, _after_colon(text, key)) + len(alias)
    return _after_colon(text, key) if _empty(value) else _last_index(text, value)


def _empty(node: Node) -> bool:
    """A value written as nothing at all (null); its marks point at the next token."""
    return isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index


def _line_after(text: str, index: int) -> int:
    """The start of the line after the one holding ``index`` (the end of a text without one)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


# Spelling a scalar.


def _scalar(value: str, style: str, quote: bool) -> str:
    """``value`` as the existing ``style`` (first character of the old token) asks, if it fits."""
    if style == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if style in ("'", '"') or quote or not _plain_fits(value):
        return quoted(value)
    return value


def _plain_fits(value: str) -> bool:
    """Plain only where YAML 1.1 readers also see a string (``yes``, ``on``, ``1_000`` are not);
    whether YAML 1.2 reads it back unchanged is checked on the edited document."""
    tag = _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return (
        value == value.strip()
        and value.isprintable()
        and value.lower() not in ("y", "n")
        and tag == "tag:yaml.org,2002:str"
    )
