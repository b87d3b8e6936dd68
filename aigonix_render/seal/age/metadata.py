"""The ``sops:`` block of a file (``stores/stores.go``, ``stores/metadata.go``): what it says.

The block is read as sops reads it (``fields.decode``) and checked as sops checks it
(``ToInternal``: ``lastmodified`` an RFC 3339 time; ``version`` a semantic version, as
``version.AIsNewerThanB`` parses it). Flat key lists (``age:``, ``pgp:``...) make one key
group, else ``key_groups`` holds them; this package handles a file only when its one group
is all age and it has at most one encryption rule and no comment rule (``handles``);
everything else is the sops binary's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import SopsError, record
from aigonix_render.seal.age.tree import Rules
from aigonix_render.seal.age.values import parse_rfc3339

_KEY_TYPES = ("age", "pgp", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault")
_RULES = ("unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex")
_COMMENT_RULES = ("unencrypted_comment_regex", "encrypted_comment_regex")
_NUMBER = re.compile(r"0|[1-9][0-9]*")
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+")


@record
class Metadata:
    """What ``decrypt`` needs of the block: the age entries (recipient, enc), ``lastmodified``
    as RFC 3339 (the MAC's additional data), the encrypted MAC and the encryption rule."""

    age: tuple[tuple[str, str], ...]
    lastmodified: str
    mac: str
    rules: Rules
    mac_only_encrypted: bool


def _key_groups(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flat key lists make one group; else ``key_groups`` (``internalKeygroups``)."""
    flat = {kind: view[kind] for kind in _KEY_TYPES if view[kind]}
    if flat:
        return [flat]
    return [{kind: group[kind] for kind in _KEY_TYPES if group[kind]} for group in view["key_groups"]]


def handles(view: Mapping[str, Any]) -> bool:
    """One key group, all age; at most one encryption rule and no comment rule."""
    groups = _key_groups(view)
    if len(groups) != 1 or set(groups[0]) != {"age"}:
        return False
    rules = [rule for rule in _RULES if view[rule]]
    return len(rules) <= 1 and not any(view[rule] for rule in _COMMENT_RULES)


def version_problem(version: str) -> str | None:
    """Why sops cannot compare ``version`` (blang/semver's ``Make`` after a leading ``v``), or None."""
    if version.startswith("1."):
        return None  # sops 1 files: no semantic version, taken as older
    text = version.removeprefix("v")
    if not text:
        return "version is empty"
    text, _, build = text.partition("+") if "+" in text else (text, "", None)
    parts, pre = text.split(".", 2), None
    if len(parts) == 3:
        parts[2], _, pre = parts[2].partition("-") if "-" in parts[2] else (parts[2], "", None)
    if len(parts) != 3 or not all(_NUMBER.fullmatch(part) and int(part) < 2**64 for part in parts):
        return f"version {version!r} is not a version (major.minor.patch)"
    identifiers = ([] if pre is None else pre.split(".")) + ([] if build is None else build.split("."))
    if not all(_IDENTIFIER.fullmatch(i) for i in identifiers) or (
        pre is not None and any(p.isdigit() and not _NUMBER.fullmatch(p) for p in pre.split("."))
    ):
        return f"version {version!r} is not a version (major.minor.patch)"
    return None


def read_metadata(view: Mapping[str, Any], name: str) -> Metadata:
    """The metadata of a block ``handles``; a ``SopsError`` naming the file when sops refuses it."""
    parsed = parse_rfc3339(view["lastmodified"])
    problem = version_problem(view["version"]) or (None if parsed else "lastmodified is not a time")
    if problem or parsed is None:
        raise SopsError(f"{name}: its sops metadata is damaged: {problem}")
    rule = next((r for r in _RULES if view[r]), None)
    age = tuple((entry["recipient"], entry["enc"]) for entry in _key_groups(view)[0]["age"])
    rules = Rules(rule, view[rule]) if rule else Rules()
    return Metadata(age, parsed[1], view["mac"], rules, view["mac_only_encrypted"])
