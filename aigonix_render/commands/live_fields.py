"""The values at the field paths the importer's comparison names, shown on one line.

``compare.differences`` names a field by a path such as ``spec.replicas``,
``data[appsettings.json]`` (a key with a dot or a slash in brackets) or
``spec.template.spec.containers[head].image`` (an item of a list by its ``name`` or
``mountPath``, else by its index). ``value_at`` walks that path back into an object made
``comparable``; ``shown`` prints what it finds, short. Never called on a Secret's data.
"""

from __future__ import annotations

import json
from typing import Any

from aigonix_render.commands.importer.compare import is_json

MISSING = object()
"""No value at the path: the field is on the other side only."""

LONGEST = 120
_ITEM_KEYS = ("name", "mountPath")


def value_at(value: Any, path: str) -> Any:
    """The value at ``path`` in ``value``, or ``MISSING``."""
    rest = path
    while rest:
        key, rest = _first_key(rest)
        value = _step(value, key)
        if value is MISSING:
            return MISSING
    return value


def _first_key(path: str) -> tuple[str, str]:
    """The first key of ``path`` and the path after it."""
    path = path.removeprefix(".")
    if path.startswith("["):
        end = path.index("]") if "]" in path else len(path)
        return path[1:end], path[end + 1 :]
    ends = [i for i in (path.find("."), path.find("[")) if i >= 0]
    end = min(ends) if ends else len(path)
    return path[:end], path[end:]


def _step(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key, MISSING)
    if isinstance(value, list):
        for field in _ITEM_KEYS:
            for item in value:
                if isinstance(item, dict) and item.get(field) == key:
                    return item
        if key.isdigit() and int(key) < len(value):
            return value[int(key)]
    return MISSING


def shown(value: Any) -> str:
    """``value`` as JSON on one line (a JSON document of a ConfigMap as its data), cut short."""
    if value is MISSING:
        return "(none)"
    if is_json(value):
        value = value[1]
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"
