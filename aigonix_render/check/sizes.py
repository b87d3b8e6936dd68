"""What an object can carry: at most 1 MiB of ConfigMap or Secret data, and only strings
YAML can carry (no lone surrogate)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from aigonix_render.check.objects import Finding, RenderedObject
from aigonix_render.check.reader import as_mapping, read_whole, value_at
from aigonix_render.foundation import Problem

OBJECT_SIZE_LIMIT = 1024 * 1024
"""What the data of one ConfigMap or Secret may hold (the API server's MaxSecretSize)."""


def check_secret_size(path: str, text: str) -> Problem | None:
    """A Secret's text, before it is encrypted: the API server refuses more than 1 MiB of
    data (the ``acr`` Secret can grow past it from a registry file that is within limits),
    and no YAML reader takes a lone surrogate. ``path`` names the Secret's source file; the
    problem never quotes a value."""
    try:
        secret = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return Problem(path, 1, 1, "a value of this Secret holds characters YAML cannot carry")
    kind = "ConfigMap" if value_at(secret, "kind") == "ConfigMap" else "Secret"  # a sealed ConfigMap
    text_key, encoded_key = ("data", "binaryData") if kind == "ConfigMap" else ("stringData", "data")
    size = _data_size(as_mapping(value_at(secret, text_key)), as_mapping(value_at(secret, encoded_key)))
    if size <= OBJECT_SIZE_LIMIT:
        return None
    name = value_at(secret, "metadata", "name")
    return Problem(path, 1, 1, f"the {kind} {name} would hold {size} bytes, over the 1 MiB a {kind} holds")


def size_rules(obj: RenderedObject) -> Iterator[Finding]:
    """A ConfigMap holds at most 1 MiB of data. Its text is at least as long as its data (an
    escape is longer than the character it stands for, base64 than its bytes), so only a
    text over the limit is read and summed."""
    if obj.kind != "ConfigMap" or len(obj.text) * 4 <= OBJECT_SIZE_LIMIT:
        return
    if len(obj.text.encode("utf-8", "surrogatepass")) <= OBJECT_SIZE_LIMIT:
        return
    body = read_whole(obj.text)
    try:
        size = _data_size(as_mapping(value_at(body, "data")), as_mapping(value_at(body, "binaryData")))
    except (ValueError, UnicodeEncodeError):
        return  # a value no YAML reader takes: the string rule says so
    if size > OBJECT_SIZE_LIMIT:
        yield Finding("data", f"holds {size} bytes, over the 1 MiB a ConfigMap holds")


def _data_size(text: Mapping[str, Any], encoded: Mapping[str, Any]) -> int:
    """The API server's count: the bytes of each value (``data`` of a Secret is base64)."""
    size = sum(len(str(v).encode("utf-8")) for v in text.values())
    return size + sum(len(base64.b64decode(str(v), validate=True)) for v in encoded.values())


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def string_rules(obj: RenderedObject) -> Iterator[Finding]:
    """Strings YAML cannot carry: a lone surrogate (libyaml, go-yaml and so kubectl and
    Flux refuse its escape; written raw it is not even UTF-8)."""
    text = obj.text
    if text and not _SURROGATE_ESCAPE.search(text) and (text.isascii() or _encodes(text)):
        return
    body = obj.data if obj.data is not None else read_whole(obj.text)
    if not _may_hold_surrogate(body):
        return
    for field, value in _strings(body, ""):
        if _SURROGATE.search(value):
            yield Finding(field, "holds a lone surrogate, a character YAML cannot carry", _lone_surrogate)


def _may_hold_surrogate(body: Any) -> bool:
    """Whether a string of ``body`` (a key too) may hold a surrogate: one search of its JSON
    text (surrogates stay as they are in it), instead of a walk naming every field, which
    took a tenth of the check for the 3,100 Secrets still to be sealed (no text, only
    data); what JSON cannot write is walked."""
    try:
        text = json.dumps(body, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return True
    return _SURROGATE.search(text) is not None


def _lone_surrogate(value: Any) -> bool:
    return isinstance(value, str) and _SURROGATE.search(value) is not None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(node: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(key, field)
            yield from _strings(value, f"{field}.{key}" if field else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{field}[{index}]")
    elif isinstance(node, str):
        yield field, node
