"""The tree's YAML: block style, keys in the order the documents give them, every key and
value through ``yaml_text`` (the render's one escaping path), so any value reads back as
itself in YAML 1.1 and 1.2 readers alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import key, quoted, scalar


def dump(document: Mapping[str, Any], header: str = "") -> str:
    lines: list[str] = [f"# {line}".rstrip() for line in header.splitlines()]
    _mapping(document, 0, lines)
    return "\n".join(lines) + "\n"


def secret_lines(values: Mapping[str, str]) -> str:
    """A flat mapping for sops, every value double-quoted: sops types an unquoted ``017``
    as a number, and its MAC covers the value as typed."""
    return "".join(f"{key(name)}: {quoted(value)}\n" for name, value in values.items())


def _mapping(mapping: Mapping[str, Any], column: int, lines: list[str], first: str = "") -> None:
    pad = " " * column
    for index, (name, value) in enumerate(mapping.items()):
        lead = first if index == 0 and first else pad
        lines.append(f"{lead}{key(name)}:" + _inline(value, column))
        _block(value, column + 2, lines)


def _inline(value: Any, column: int) -> str:
    """What follows ``key:`` on its line: a scalar, an empty collection, or nothing."""
    if isinstance(value, Mapping):
        return "" if value else " {}"
    if isinstance(value, list):
        return "" if value else " []"
    return " " + _scalar(value, column)


def _block(value: Any, column: int, lines: list[str]) -> None:
    if isinstance(value, Mapping):
        _mapping(value, column, lines)
    elif isinstance(value, list):
        _sequence(value, column, lines)


def _sequence(items: list[Any], column: int, lines: list[str]) -> None:
    pad = " " * column
    for item in items:
        if isinstance(item, Mapping) and item:
            _mapping(item, column + 2, lines, first=f"{pad}- ")
        elif isinstance(item, list | Mapping):
            lines.append(f"{pad}-{_inline(item, column)}")
            _block(item, column + 2, lines)
        else:
            lines.append(f"{pad}- {_scalar(item, column)}")


def _scalar(value: Any, column: int) -> str:
    return "null" if value is None else scalar(value, column)
