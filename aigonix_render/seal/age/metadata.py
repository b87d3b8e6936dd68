"""The ``sops:`` block of a file (``stores/stores.go``, ``stores/metadata.go``): what it says.

Flat key lists (``age:``, ``pgp:``...) make one key group, else ``key_groups`` holds them;
this package handles a file only when its one group is all age and it has at most one
encryption rule and no comment rule (``handles``); everything else is the sops binary's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aigonix_render.foundation import SopsError
from aigonix_render.seal.age.tree import Rules
from aigonix_render.seal.age.values import GO_BOOLS, Time, parse_rfc3339

_KEY_TYPES = ("age", "pgp", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault")
_RULES = ("unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex")
_COMMENT_RULES = ("unencrypted_comment_regex", "encrypted_comment_regex")


@dataclass(frozen=True)
class Metadata:
    """What ``decrypt`` needs of the block: the age entries (recipient, enc), ``lastmodified``
    as RFC 3339 (the MAC's additional data), the encrypted MAC and the encryption rule."""

    age: tuple[tuple[str, str], ...]
    lastmodified: str
    mac: str
    rules: Rules
    mac_only_encrypted: bool


def _key_groups(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flat key lists make one group; else ``key_groups`` (``internalKeygroups``)."""
    flat = {kind: meta[kind] for kind in _KEY_TYPES if meta.get(kind)}
    if flat:
        return [flat]
    groups = meta.get("key_groups") or []
    if not isinstance(groups, list):
        return []
    return [{k: g[k] for k in _KEY_TYPES if g.get(k)} if isinstance(g, dict) else {"?": g} for g in groups]


def sops_block(document: Any) -> Mapping[str, Any] | None:
    """The document's ``sops:`` mapping; None when it has none."""
    block = document.get("sops") if isinstance(document, dict) else None
    return block if isinstance(block, dict) else None


def handles(meta: Mapping[str, Any]) -> bool:
    """One key group, all age; at most one encryption rule and no comment rule."""
    groups = _key_groups(meta)
    if len(groups) != 1 or set(groups[0]) != {"age"} or not isinstance(groups[0]["age"], list):
        return False
    rules = [rule for rule in _RULES if meta.get(rule)]
    return len(rules) <= 1 and not any(meta.get(rule) for rule in _COMMENT_RULES)


def read_metadata(meta: Mapping[str, Any], name: str) -> Metadata:
    """The metadata of a block ``handles``; a ``SopsError`` naming the file when it is damaged."""
    damaged = SopsError(f"{name}: its sops metadata is damaged")
    entries = _key_groups(meta)[0]["age"]
    if not all(isinstance(e, dict) and isinstance(e.get("enc", ""), str) for e in entries):
        raise damaged
    lastmodified = meta.get("lastmodified")
    source = lastmodified.source if isinstance(lastmodified, Time) else lastmodified
    parsed = parse_rfc3339(source) if isinstance(source, str) else None
    mac = meta.get("mac", "")
    rule = next((r for r in _RULES if meta.get(r)), None)
    if parsed is None or not isinstance(mac, str) or (rule and not isinstance(meta[rule], str)):
        raise damaged
    only = meta.get("mac_only_encrypted", False)
    only = GO_BOOLS.get(only, None) if isinstance(only, str) else only
    if not isinstance(only, bool):
        raise damaged
    age = tuple((str(e.get("recipient", "")), str(e.get("enc", ""))) for e in entries)
    return Metadata(age, parsed[1], mac, Rules(rule, meta[rule]) if rule else Rules(), only)
