"""Reading render's canonical YAML fast, and anything else with libyaml.

``read_block`` reads the block mappings and sequences of scalars that ``yaml_text`` and
the templates write (block style, JSON's escapes in double quotes, plain scalars only where
YAML reads them as strings, booleans, null or integers) and raises ``UnusualText`` at
anything else: the caller then reads the text with ``read_libyaml``, complete and slow.
The caches on ``read_scalar``, ``_key`` and ``read_labels`` buy one reading per distinct
text: names, labels and values repeat across thousands of objects, and nothing changes
what they return. ``value_at``, ``list_at`` and ``as_mapping`` look into what was read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml


class UnusualText(Exception):
    """Text outside render's canonical style: libyaml reads it."""


@lru_cache(maxsize=64)
def _block_pattern(indent: int) -> re.Pattern[str]:
    """The next line indented at most ``indent`` columns."""
    return re.compile(rf"\n {{0,{indent}}}(?=[^ \n])")


@lru_cache(maxsize=16384)
def read_labels(block: str) -> Any:
    """An object's labels: every object of a microservice has them, so each text is read once."""
    return read_block(block)


# One line: indentation, an optional "- ", then "key: value", "key:" or a scalar.
_LINE = re.compile(
    r"(( *)(- +)?(?:([^\s\"'#&*!|>%@`{}\[\],?:-][^:\n]*|\"(?:[^\"\\\n]|\\.)*\"):(?: (.*))?|(.*)))\n"
)
_PLAIN = re.compile(r"[^\s\"'#&*!|>%@`{}\[\],?:-][^#\n]*|-[^\s#][^#\n]*")
_RESOLVER = yaml.resolver.Resolver()
_RESOLVED = frozenset(k for k in _RESOLVER.yaml_implicit_resolvers if k)
"""The first characters of a plain scalar YAML may read as other than a string."""
_STRING = "tag:yaml.org,2002:str"


def read_block(block: str) -> Any:
    """The mapping or sequence written in ``block`` (its first line sets the indentation)."""
    tokens = _LINE.findall(block if block.endswith("\n") else block + "\n")
    if not tokens:
        return None
    if all(not t[2] and t[4] and t[4][0] != "|" and t[1] == tokens[0][1] for t in tokens):
        flat = {_key(t[3]): read_scalar(t[4]) for t in tokens if t[3]}
        if len(flat) != len(tokens):
            raise UnusualText
        return flat  # labels, annotations, resources: one line per key
    reader = _Reader(tokens)
    value = reader.node(len(tokens[0][1]))
    if any(t[0].strip() for t in tokens[reader.at :]):
        raise UnusualText
    return value


class _Reader:
    """Block mappings and sequences of scalars, as ``yaml_text`` and the templates write them."""

    def __init__(self, tokens: list[tuple[str, ...]]) -> None:
        self.tokens = tokens
        self.at = 0

    def node(self, indent: int) -> Any:
        _, spaces, dash, *_ = self.tokens[self.at]
        if len(spaces) != indent:
            raise UnusualText
        return self.sequence(indent) if dash else self.mapping(indent, {})

    def mapping(self, indent: int, result: dict[str, Any]) -> dict[str, Any]:
        tokens, count = self.tokens, len(self.tokens)
        while self.at < count:
            line, spaces, dash, key, value, _ = tokens[self.at]
            if len(spaces) < indent or not line.strip():
                break
            if len(spaces) > indent or dash or not key:
                raise UnusualText
            self.at += 1
            name = _key(key)
            if name in result:
                raise UnusualText
            result[name] = self.value(value, indent)
        return result

    def sequence(self, indent: int) -> list[Any]:
        tokens, count = self.tokens, len(self.tokens)
        result: list[Any] = []
        while self.at < count:
            _, spaces, dash, key, value, item = tokens[self.at]
            if len(spaces) != indent or not dash:
                break
            self.at += 1
            if key:  # "- key: value" opens a mapping at the key's column
                column = indent + len(dash)
                result.append(self.mapping(column, {_key(key): self.value(value, column)}))
            else:
                result.append(self.value(item, indent))
        return result

    def value(self, raw: str, indent: int) -> Any:
        if raw.startswith("|"):
            return self.literal(raw, indent)
        if raw:
            return read_scalar(raw)
        if self.at < len(self.tokens):
            _, spaces, dash, *_ = self.tokens[self.at]
            if len(spaces) > indent or (len(spaces) == indent and dash):
                return self.node(len(spaces))
        return None

    def literal(self, header: str, indent: int) -> str:
        """A literal block: the lines below, more indented than its key."""
        lines: list[str] = []
        while self.at < len(self.tokens):
            line = self.tokens[self.at][0]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
                break
            lines.append(line)
            self.at += 1
        return _literal(header, lines)


def _literal(header: str, lines: list[str]) -> str:
    """The text of a literal block (``|``, ``|-``, ``|+``) from its lines."""
    if header not in ("|", "|-", "|+"):
        raise UnusualText
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise UnusualText
    pad = " " * (len(first) - len(first.lstrip(" ")))
    if any(line.strip() and not line.startswith(pad) for line in lines):
        raise UnusualText
    texts = [line[len(pad) :] for line in lines]
    last = len(texts) - next(i for i, text in enumerate(reversed(texts)) if text)
    body = "\n".join(texts[:last])
    if header == "|-":
        return body
    return body + "\n" * (len(texts) - last + 1 if header == "|+" else 1)


@lru_cache(maxsize=65536)
def read_scalar(raw: str) -> Any:
    """Names, labels and values repeat across thousands of objects: read each once (the
    empty ``{}`` and ``[]`` it returns are shared, and nothing changes them)."""
    if raw.startswith('"'):
        return _quoted(raw)
    if raw in ("{}", "[]"):
        return {} if raw == "{}" else []
    return _plain(raw)


@lru_cache(maxsize=4096)
def _key(raw: str) -> str:
    value = read_scalar(raw)
    if not isinstance(value, str):
        raise UnusualText
    return value


def _quoted(raw: str) -> str:
    """A double-quoted scalar: ``yaml_text`` writes JSON's escapes; YAML's others are unusual."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise UnusualText from None
    if not isinstance(value, str):
        raise UnusualText
    return value


def _plain(raw: str) -> Any:
    if not _PLAIN.fullmatch(raw) or ": " in raw or raw.endswith((":", " ")):
        raise UnusualText
    if raw[0] not in _RESOLVED:
        return raw
    tag = _RESOLVER.resolve(yaml.ScalarNode, raw, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STRING:
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    digits = raw.removeprefix("-")
    if digits.isdigit() and (digits == "0" or not digits.startswith("0")):
        return int(raw)
    raise UnusualText


def value_end(text: str, line_end: int, indent: int) -> int:
    """Where the value of a key at column ``indent`` ends: at the next line as little indented."""
    found = _block_pattern(indent).search(text, line_end)
    return found.start() + 1 if found else len(text)


def read_whole(text: str) -> Any:
    try:
        return read_block(text)
    except UnusualText:
        return read_libyaml(text)


def read_libyaml(text: str) -> dict[str, Any]:
    """The slow, complete reading; libyaml refuses what no YAML reader should take (a lone
    surrogate escape), then the pure-Python reader says what the text holds anyway."""
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        try:
            body = yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            continue
        return body if isinstance(body, dict) else {}
    return {}


def value_at(node: Any, *path: str) -> Any:
    """The value at ``path``; None where there is none."""
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def list_at(node: Any, *path: str) -> list[Any]:
    found = value_at(node, *path)
    return found if isinstance(found, list) else []


def as_mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, dict) else {}
