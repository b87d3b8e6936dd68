"""A fast first read of YAML 1.2 files with libyaml, for the common case: valid input.

PyYAML's C parser with the YAML 1.2 core schema (so ``yes`` and ``on`` stay strings,
``0042`` is 42 and dates are strings) and duplicate keys refused. Anything unusual —
a syntax error, a duplicate key, a merge key, an unknown tag — returns None, and the
caller reads the file again with ruamel.yaml, which gives the positions for the error.

``read`` is the hot path: libyaml composes the node tree (C) and one walk in Python turns
it into plain data (dict, list, str, int, float, bool, None) and, from the nodes' marks,
``Marks``: every node's line and column in one array (not node trees: those would cost the
garbage collector more than the parse), so a position needs no ruamel (three times the cost
of validating a file). ``marks=False`` packs none: ``LaterMarks`` reads the file again.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple, TypeVar

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """The fast path does not handle this file; read it carefully instead."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """``BaseResolver.resolve`` for the resolvers below only (no wildcard, no path
        resolvers): libyaml calls it for every node, and the general one took a third of
        the parse."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _BY_FIRST.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
                raise _Unusual
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key in keys:
                raise _Unusual
            keys.add(key)
        return dict(super().construct_mapping(node, deep=True))


def _core_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _unknown_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    raise _Unusual


_RESOLVERS = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", "~nN"),
    "tag:yaml.org,2002:int": (r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
}
for _tag, (_pattern, _first) in _RESOLVERS.items():
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])
_Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _unknown_tag)
_Loader.add_multi_constructor("", _unknown_tag)
_BY_FIRST = {first: tuple(found) for first, found in _Loader.yaml_implicit_resolvers.items()}


class TooDeep(Exception):
    """Nesting too deep for any reader; the careful one would only take longer to say so."""


_T = TypeVar("_T")


def _or_none(parse: Callable[[], _T]) -> _T | None:
    """What ``parse`` returns, or None when the careful reader must take over; ``TooDeep``
    for nesting no reader should follow."""
    try:
        return parse()
    except RecursionError:
        raise TooDeep from None
    except yaml.YAMLError as error:
        if "maximum nesting depth" in str(error):
            raise TooDeep from None
        return None
    except (_Unusual, ValueError):
        return None


def load_all(text: str) -> list[Any] | None:
    """The documents of ``text`` as PyYAML constructs them (not yet plain data: a set, bytes
    or an int key may be in them), or None when the careful reader must take over."""
    return _or_none(lambda: list(yaml.load_all(text, Loader=_Loader)))


class Loaded(NamedTuple):
    """One document: plain data and where each of its nodes is (or will be)."""

    data: Any
    marks: Marks | LaterMarks


def read(text: str, max_values: int, max_depth: int, marks: bool = True) -> list[Loaded] | None:
    """The documents of ``text`` as plain data with their marks, or None when the file is
    anything but plain (``load_all`` and the careful reader then say what it is).

    Plain: the standard tags only, string keys, no duplicate or merge keys, at most
    ``max_values`` values (aliases counted where they are used) and ``max_depth`` levels.
    Whatever this returns, ``load_all`` followed by ``documents.plain`` returns too.
    ``marks=False``: packed when a position is first asked for (most files: never)."""
    loader = _Loader(text)
    try:
        return _or_none(lambda: _documents(loader, max_values, max_depth, text if not marks else None))
    finally:
        loader.dispose()


def _documents(loader: _Loader, max_values: int, max_depth: int, later: str | None) -> list[Loaded]:
    found: list[Loaded] = []
    while loader.check_node():
        build = (_Build if later is None else _Plain)(loader, max_values, max_depth)
        data = build.node(loader.get_node(), 0)
        later_marks = None if later is None else LaterMarks(later, len(found), max_values, max_depth)
        found.append(Loaded(data, later_marks or Marks(data, array("i", build.packed))))
    return found


class LaterMarks:
    """``Marks`` packed on the first ``locate``: the text read again the same way."""

    __slots__ = ("index", "limits", "marks", "text")

    def __init__(self, text: str, index: int, max_values: int, max_depth: int) -> None:
        self.text, self.index, self.limits = text, index, (max_values, max_depth)
        self.marks: Marks | LaterMarks | None = None

    def locate(self, path: Sequence[str | int], at_key: bool = False) -> tuple[int, int] | None:
        if self.marks is None:
            self.marks = (read(self.text, *self.limits) or [])[self.index].marks
        return self.marks.locate(path, at_key)


_SCALARS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "null"))
_HEADER = 3
"""A node's record in ``Marks.packed``: line, column, the record's length (children included)."""
_UNKNOWN = -1
"""The line of a value left out (``key:`` and nothing): the readers place it differently
(libyaml after the ``:``, ruamel at the next token), so the marks cannot answer for it."""


class _Build:
    """One walk over a composed document: plain data, and each node's marks in document
    order (a mapping's entries as key line, key column, then the value's record)."""

    def __init__(self, loader: _Loader, max_values: int, max_depth: int) -> None:
        self.loader = loader
        self.left = max_values
        self.max_depth = max_depth
        self.packed: list[int] = []

    def node(self, node: yaml.Node, depth: int) -> Any:
        self.left -= 1
        if self.left < 0 or depth > self.max_depth:
            raise _Unusual
        packed = self.packed
        start = len(packed)
        mark = node.start_mark
        packed += (mark.line, mark.column, _HEADER)
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if not node.value and node.end_mark.column == mark.column and node.end_mark.line == mark.line:
                packed[start] = _UNKNOWN
            return node.value if tag == _STR else self.scalar(node)
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            value: Any = self.mapping(node, depth)
        elif tag == _SEQ and isinstance(node, yaml.SequenceNode):
            value = [self.node(item, depth + 1) for item in node.value]
        else:
            raise _Unusual
        packed[start + 2] = len(packed) - start
        return value

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        packed = self.packed
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag != _STR or not isinstance(key, str) or key == "<<" or key in result:
                raise _Unusual
            mark = key_node.start_mark
            packed += (mark.line, mark.column)
            result[key] = self.node(value_node, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALARS:
            raise _Unusual
        return self.loader.yaml_constructors[node.tag](self.loader, node)


class _Plain(_Build):
    """``_Build`` without the marks: the same data, the same refusals."""

    def node(self, node: yaml.Node, depth: int) -> Any:
        self.left -= 1
        if self.left < 0 or depth > self.max_depth:
            raise _Unusual
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            return node.value if tag == _STR else self.scalar(node)
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key_node.tag != _STR or not isinstance(key, str) or key == "<<" or key in result:
                    raise _Unusual
                result[key] = self.node(value_node, depth + 1)
            return result
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [self.node(item, depth + 1) for item in node.value]
        raise _Unusual


class Marks:
    """Where each node of a document read by ``read`` is: libyaml's marks, packed.

    Answers like ``documents.locate`` does from ruamel's node tree (the same marks: both
    readers implement the same YAML scanner), walking the plain data the marks were built
    with to find a key's record; that data is read-only once loaded, and where the walk
    would leave the array anyway, the answer is None (ruamel's then)."""

    __slots__ = ("data", "packed")

    def __init__(self, data: Any, packed: array[int]) -> None:
        self.data = data
        self.packed = packed

    def locate(self, path: Sequence[str | int], at_key: bool = False) -> tuple[int, int] | None:
        """1-based line and column of the node at ``path`` (or of the deepest one that exists);
        None for a value left out, where only ruamel can answer as ruamel does."""
        try:
            line, column = self._locate(path, at_key)
        except IndexError:
            return None
        return (line + 1, column + 1) if line != _UNKNOWN else None

    def _locate(self, path: Sequence[str | int], at_key: bool) -> tuple[int, int]:
        packed, data, at = self.packed, self.data, 0
        line, column = packed[0], packed[1]
        for index, part in enumerate(path):
            if isinstance(data, dict) and part in data:
                key = self._entry(data, at, part)
                line, column = packed[key], packed[key + 1]
                at = key + 2
                if not (at_key and index == len(path) - 1):
                    line, column = packed[at], packed[at + 1]
            elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
                at = self._item(at, part)
                line, column = packed[at], packed[at + 1]
            else:
                break
            data = data[part]
        return line, column

    def _entry(self, data: dict[str, Any], at: int, wanted: str | int) -> int:
        """Where the entry of key ``wanted`` starts in the mapping whose record is at ``at``."""
        packed, entry = self.packed, at + _HEADER
        for key in data:
            if key == wanted:
                break
            entry += 2 + packed[entry + 4]
        return entry

    def _item(self, at: int, index: int) -> int:
        packed, item = self.packed, at + _HEADER
        for _ in range(index):
            item += packed[item + 2]
        return item
