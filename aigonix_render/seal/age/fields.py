"""The ``sops:`` block as the sops binary reads it: yaml.v3 decoding into sops's Go structs.

sops reads the block with ``yaml.Unmarshal`` into ``stores.Metadata`` (``stores/stores.go``)
and then checks it (``ToInternal``, ``version.AIsNewerThanB``). yaml.v3 puts a scalar's text
as written into a string field (``mac: 5`` is ``"5"``, ``null`` is ``""``), refuses a list or
mapping there, takes only booleans and YAML 1.1's ``yes``/``off`` words into a bool and only
numbers into an int, and ignores keys it does not know. ``decode`` does the same from the
YAML nodes, so the in-process reader refuses exactly the blocks sops refuses.
"""

from __future__ import annotations

from typing import Any

import yaml

from aigonix_render.seal.age.errors import Rejected
from aigonix_render.seal.age.values import INT64, go_scalar

_STR_TAG = "tag:yaml.org,2002:str"
_QUOTED = ("'", '"', "|", ">")
_YAML11_BOOLS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True)}
_YAML11_BOOLS |= dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False)

# The fields of each key type's struct (all strings but kms's ``context``, a map of strings).
_KEYS: dict[str, tuple[str, ...]] = {
    "age": ("recipient", "enc"),
    "pgp": ("created_at", "enc", "fp"),
    "kms": ("arn", "role", "created_at", "enc", "aws_profile", "context"),
    "gcp_kms": ("resource_id", "created_at", "enc"),
    "hckms": ("key_id", "created_at", "enc"),
    "azure_kv": ("vault_url", "name", "version", "created_at", "enc"),
    "hc_vault": ("vault_address", "engine_path", "key_name", "created_at", "enc"),
}
_STRINGS = (
    "lastmodified",
    "mac",
    "version",
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
)


class Damaged(Exception):
    """The block does not decode into sops's struct; the message names the field."""


def decode(node: yaml.MappingNode) -> dict[str, Any]:
    """The block's known fields as sops's struct holds them (absent ones at their zero value)."""
    fields = _mapping(node, "sops")
    result: dict[str, Any] = {name: _string(fields.get(name), name) for name in _STRINGS}
    result["mac_only_encrypted"] = _bool(fields.get("mac_only_encrypted"), "mac_only_encrypted")
    result["shamir_threshold"] = _int(fields.get("shamir_threshold"), "shamir_threshold")
    result |= {kind: _key_list(fields.get(kind), kind) for kind in _KEYS}
    groups = _list(fields.get("key_groups"), "key_groups")
    result["key_groups"] = [
        {kind: _key_list(group.get(kind), kind) for kind in _KEYS}
        for group in (_mapping(item, "key_groups") for item in groups)
    ]
    return result


def _mapping(node: yaml.Node | None, name: str) -> dict[str, yaml.Node]:
    if node is None or _is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise Damaged(f"{name} is not a mapping")
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _list(node: yaml.Node | None, name: str) -> list[yaml.Node]:
    """A sequence's items; null items are dropped, as yaml.v3 drops them from a slice of structs."""
    if node is None or _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise Damaged(f"{name} is not a list")
    return [item for item in node.value if not _is_null(item)]


def _key_list(node: yaml.Node | None, kind: str) -> list[dict[str, str]]:
    entries = (_mapping(item, kind) for item in _list(node, kind))
    return [
        {field: _entry_field(entry.get(field), kind, field) for field in _KEYS[kind]} for entry in entries
    ]


def _entry_field(node: yaml.Node | None, kind: str, field: str) -> Any:
    if field == "context":  # map[string]*string
        return {key: _string(value, f"{kind} context") for key, value in _mapping(node, kind).items()}
    return _string(node, f"{kind} {field}")


def _resolved(node: yaml.ScalarNode) -> Any:
    """What yaml.v3's ``resolve`` gives the scalar (a quoted or ``!!str`` one stays text)."""
    if node.style in _QUOTED or node.tag == _STR_TAG:
        return node.value
    try:
        return go_scalar(node.value)
    except Rejected:
        return node.value  # an unsigned 64-bit number: only an int field would care


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and _resolved(node) is None


def _scalar(node: yaml.Node, name: str, kind: str) -> yaml.ScalarNode:
    if not isinstance(node, yaml.ScalarNode):
        raise Damaged(f"{name} is not a {kind}")
    return node


def _string(node: yaml.Node | None, name: str) -> str:
    """yaml.v3 into a string: the text as written; null is the empty string."""
    if node is None or _is_null(node):
        return ""
    text: str = _scalar(node, name, "string").value
    return text


def _bool(node: yaml.Node | None, name: str) -> bool:
    if node is None or _is_null(node):
        return False
    value = _resolved(_scalar(node, name, "boolean"))
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _YAML11_BOOLS:
        return _YAML11_BOOLS[value]
    raise Damaged(f"{name} is not a boolean")


def _int(node: yaml.Node | None, name: str) -> int:
    if node is None or _is_null(node):
        return 0
    value = _resolved(_scalar(node, name, "number"))
    if isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1]:
        return value
    if isinstance(value, float) and INT64[0] <= value < 2.0**63:
        return int(value)
    raise Damaged(f"{name} is not a number")
