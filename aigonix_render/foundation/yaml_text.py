"""The one escaping path: every value enters rendered YAML through ``scalar``.

A string is written plain only when it is unambiguously a string to every YAML reader
(YAML 1.1 and 1.2: PyYAML, Go's yaml and kustomize); multi-line text becomes a literal
block; everything else is double-quoted with escapes. No input can change the shape of
the document around it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import yaml

_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./@+-]*")
_NUMBER_LIKE = re.compile(r"[0-9][0-9_.eE+-]*|0[xXoObB].*")
_SPECIAL = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
_PRINTABLE = "\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
"""YAML's printable characters (less the line breaks it folds), as a character class."""


@lru_cache(maxsize=1)
def _unprintable() -> re.Pattern[str]:
    """A character outside ``_PRINTABLE``: compiled when a text is not plain ASCII, as these
    classes of thousands of code points take milliseconds to compile, at every start."""
    return re.compile(f"[^{_PRINTABLE}]")


@lru_cache(maxsize=1)
def _literal_safe() -> re.Pattern[str]:
    return re.compile(f"[{_PRINTABLE}]*")


def _printable_ascii(text: str) -> bool:
    """ASCII text with no character outside ``_PRINTABLE``: tabs, line breaks, space to tilde.

    The same answer as the two patterns for such text, without compiling them."""
    return text.isascii() and text.replace("\t", "").replace("\n", "").isprintable()


def scalar(value: object, indent: int = 0) -> str:
    """``value`` as a YAML scalar after ``key: `` or ``- ``; ``indent`` is that key's or dash's column.

    Only a literal block uses it: its lines are indented two columns further.
    """
    if isinstance(value, str):
        return _string(value, indent)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} as a YAML scalar")


@lru_cache(maxsize=4096)
def key(value: str) -> str:
    """``value`` as a mapping key: plain where that is safe, else double-quoted.

    Never a literal block, which cannot be a key; memoised like ``_string``, since the same
    keys (labels, ``limits``) open lines in every object.
    """
    return value if _plain_fits(value) else quoted(value)


@lru_cache(maxsize=65536)
def _string(value: str, indent: int) -> str:
    """Labels, names and annotations repeat across thousands of objects: decide once."""
    if _plain_fits(value):
        return value
    if _literal_fits(value):
        return _literal(value, indent + 2)
    return quoted(value)


def _plain_fits(value: str) -> bool:
    """A plain scalar every YAML 1.1 and 1.2 reader takes as this very string."""
    return (
        _PLAIN.fullmatch(value) is not None
        and value.lower() not in _SPECIAL
        and not _NUMBER_LIKE.fullmatch(value)
        and _resolves_to_string(value)
    )


_RESOLVER = yaml.resolver.Resolver()


def _resolves_to_string(value: str) -> bool:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag == "tag:yaml.org,2002:str"


def quoted(value: str) -> str:
    """A double-quoted scalar: JSON's escapes, plus YAML's rule that the stream is printable."""
    text = json.dumps(value, ensure_ascii=False)
    return text if _printable_ascii(text) else _unprintable().sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _literal_fits(value: str) -> bool:
    """Multi-line, printable text that a literal block keeps exactly."""
    return (
        "\n" in value.rstrip("\n")
        and value[:1] not in (" ", "\t", "\n")
        and (_printable_ascii(value) or _literal_safe().fullmatch(value) is not None)
        and all(line == line.rstrip(" \t") for line in value.split("\n"))
    )


def _literal(value: str, indent: int) -> str:
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    pad = " " * indent
    lines = [(pad + line) if line else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines) + "\n" * max(trailing - 1, 0)
