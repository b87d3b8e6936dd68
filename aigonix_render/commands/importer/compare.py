"""Field-by-field differences between an object in the dump and the object a render makes.

Both sides lose what the API server adds (``cluster``). ConfigMap values that are JSON
compare as data (the key order and the final newline of a file are not its content);
Secret values compare decoded, under ``data`` (which is base64 of what ``stringData``
holds), or by their keys alone when ``mask_secrets``. Lists of objects with a ``name`` (or
a ``mountPath``) compare item by item and then by order: the order of a pod template's
lists is part of it, and a change restarts the pods. Other lists of objects (rules,
peers) compare as collections: an item left or added, else their order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from aigonix_render.commands.importer.cluster import without_server_fields
from aigonix_render.foundation import record

LEFT = "left"  # in the dump only
ADDED = "added"  # in the render only
CHANGED = "changed"
ORDER = "order"
_KEYS = ("name", "mountPath")


@record
class Difference:
    path: str
    what: str


def comparable(obj: Mapping[str, Any], mask_secrets: bool = False) -> dict[str, Any]:
    found = without_server_fields(obj)
    if found.get("kind") == "Secret":
        values = {**_decoded(found.pop("data", None)), **_texts(found.pop("stringData", None))}
        found["data"] = {k: "<value>" if mask_secrets else _as_data(v) for k, v in values.items()}
    elif found.get("kind") == "ConfigMap" and isinstance(found.get("data"), dict):
        found["data"] = {k: _as_data(v) for k, v in found["data"].items()}
    return found


def data_keys_only(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A ConfigMap sealed like a Secret (an environment's kafka files), to compare by the keys
    of its ``data`` where its values cannot or must not be compared."""
    data = obj.get("data")
    if not isinstance(data, Mapping):
        return dict(obj)
    return {**obj, "data": dict.fromkeys(data, "<value>")}


def differences(
    dumped: Mapping[str, Any], rendered: Mapping[str, Any], mask_secrets: bool = False
) -> list[Difference]:
    found: list[Difference] = []
    _diff(comparable(dumped, mask_secrets), comparable(rendered, mask_secrets), "", found)
    return found


def _decoded(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        try:
            values[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            values[key] = ("undecodable", value)
    return values


def _texts(data: Any) -> dict[str, Any]:
    return dict(data) if isinstance(data, dict) else {}


def _as_data(value: Any) -> Any:
    """A JSON document as ``("json", its data, its text)``: compared field by field, and the
    same data written otherwise is still a change (the sync rewrites the bytes); any other
    text as it is."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return ("json", json.loads(value), value)
        except ValueError:
            return value
    return value


def is_json(value: Any) -> bool:
    """A JSON document as ``comparable`` gives it."""
    return isinstance(value, tuple) and len(value) == 3 and value[0] == "json"


def field_path(*keys: str) -> str:
    """``data[appsettings.json]``: a key with a dot or a slash in brackets."""
    path = ""
    for key in keys:
        path = _join(path, key)
    return path


def _join(path: str, key: str) -> str:
    if "." in key or "/" in key:
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _diff(old: Any, new: Any, path: str, found: list[Difference]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            if key not in new:
                found.append(Difference(_join(path, key), LEFT))
            elif key not in old:
                found.append(Difference(_join(path, key), ADDED))
            else:
                _diff(old[key], new[key], _join(path, key), found)
    elif isinstance(old, list) and isinstance(new, list) and _keyed(old) and _keyed(new):
        _diff_keyed(old, new, path, found)
    elif isinstance(old, list) and isinstance(new, list) and _objects(old + new) and old != new:
        _diff_collection(old, new, path, found)
    elif old != new:
        found.append(Difference(path, CHANGED))


def _objects(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) for i in items)


def _diff_collection(old: list[Any], new: list[Any], path: str, found: list[Difference]) -> None:
    """Items only in the dump (by their index there), only in the render (by theirs), else order."""
    before, after = Counter(map(_canonical, old)), Counter(map(_canonical, new))
    if before == after:
        found.append(Difference(path, ORDER))
        return
    if _edited_in_place(old, new, before, after):
        for index, (was, now) in enumerate(zip(old, new, strict=True)):
            if was != now:
                _diff(was, now, f"{path}[{index}]", found)
        return
    for items, other, what in ((old, after, LEFT), (new, before, ADDED)):
        seen: Counter[str] = Counter()
        for index, item in enumerate(items):
            seen[_canonical(item)] += 1
            if seen[_canonical(item)] > other[_canonical(item)]:
                found.append(Difference(f"{path}[{index}]", what))


def _edited_in_place(old: list[Any], new: list[Any], before: Counter[str], after: Counter[str]) -> bool:
    """As many items on both sides, and each that differs from the one at its index on the
    other side is on one side only: items edited where they stand (named field by field),
    not moved, added or removed."""
    if len(old) != len(new):
        return False
    edited = [(was, now) for was, now in zip(old, new, strict=True) if was != now]
    return all(not after[_canonical(was)] and not before[_canonical(now)] for was, now in edited)


def _canonical(item: Any) -> str:
    """An item as text that does not depend on the order of its keys."""
    return json.dumps(item, sort_keys=True, default=repr)


def _key_of(items: list[Any]) -> str | None:
    for key in _KEYS:
        named = all(isinstance(i, dict) and isinstance(i.get(key), str) for i in items)
        if named and len({i[key] for i in items}) == len(items):
            return key
    return None


def _keyed(items: list[Any]) -> bool:
    return bool(items) and _key_of(items) is not None


def _diff_keyed(old: list[Any], new: list[Any], path: str, found: list[Difference]) -> None:
    key = _key_of(old)
    if key is None or _key_of(new) != key:
        found.append(Difference(path, CHANGED))
        return
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    for name in list(before) + [n for n in after if n not in before]:
        where = f"{path}[{name}]"
        if name not in after:
            found.append(Difference(where, LEFT))
        elif name not in before:
            found.append(Difference(where, ADDED))
        else:
            _diff(before[name], after[name], where, found)
    common = [n for n in before if n in after]
    if common != [n for n in after if n in before]:
        found.append(Difference(path, ORDER))
