"""Checks of SOPS-encrypted input files that need no key: metadata and key names only.

Values are never read into a message: a plaintext file's values could be real secrets.
Every message here is built from fixed words, a position and a key name, and a key name
only when it is a valid variable name (what a secret's key must be), so that a line like
``PASSWORD=hunter2`` that YAML took for a key is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from aigonix_render.foundation import Problem, names
from aigonix_render.load import Document

METADATA = "sops"
# Where sops keeps the data key, encrypted for each recipient; each entry holds it as `enc`.
RECIPIENT_GROUPS = ("age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def check(document: Document, expected: tuple[str, ...], declared_in: Document | None) -> Iterator[Problem]:
    """The file is encrypted, its sops metadata sound, and its keys exactly ``expected``
    (declared in ``declared_in``, or fixed when that is None)."""
    if METADATA not in document.data:
        message = f"not encrypted with sops: encrypt it with `sops encrypt -i {document.path}`"
        yield Problem(document.path, 1, 1, message)
        return
    yield from _damaged_metadata(document, document.data[METADATA])
    keys = [k for k in document.data if k != METADATA]
    for key in keys:
        yield from _value(document, key, document.data[key])
    yield from _unexpected(document, expected, keys, declared_in)
    yield from _missing(document, expected, keys, declared_in)


def _unexpected(
    document: Document, expected: tuple[str, ...], keys: list[str], declared_in: Document | None
) -> Iterator[Problem]:
    where = f"the secrets of {declared_in.path}" if declared_in else "this file"
    for key in (k for k in keys if k not in expected):
        message = f"{_shown(key, quoted=True)} is not expected in {where} (expected: {', '.join(expected)})"
        yield document.problem([key], message, at_key=True)


def _shown(key: str, quoted: bool = False) -> str:
    """A key as a message may show it: only a variable name, never what may be a value."""
    if names.env_var_name(key) is not None:
        return "this key"
    return repr(key) if quoted else key


def _value(document: Document, key: str, value: Any) -> Iterator[Problem]:
    """A secret's value must be a non-empty string that sops encrypted as one."""
    shown = _shown(key)
    if value is None or value == "":
        yield document.problem([key], f"the value of {shown} is empty: a secret needs a value", at_key=True)
    elif isinstance(value, dict | list):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        yield document.problem([key], f"the value of {shown} must be a string, not {kind}", at_key=True)
    elif not _encrypted(value):
        yield document.problem(
            [key], f"the value of {shown} is not encrypted (re-encrypt the whole file with sops)"
        )
    elif not value.endswith(",type:str]"):
        yield document.problem([key], f"the value of {shown} must be a string: quote it in `sops edit`")


def _damaged_metadata(document: Document, metadata: Any) -> Iterator[Problem]:
    """A ``sops`` block that sops itself could not use: the file cannot be decrypted."""
    if not isinstance(metadata, dict):
        yield _damaged(document, [], "it is not a mapping")
        return
    if "mac" not in metadata:
        yield _damaged(document, [], "mac is missing")
    elif not _encrypted(metadata["mac"]):
        yield _damaged(document, ["mac"], "mac is not an ENC[...] value")
    yield from _damaged_time(document, metadata)
    yield from _damaged_recipients(document, metadata)


def _encrypted(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("ENC[") and value.endswith("]")


def _damaged_time(document: Document, metadata: dict[str, Any]) -> Iterator[Problem]:
    """sops reads ``lastmodified`` as an RFC 3339 time (unquoted, YAML 1.1 readers such as
    sops' own take it for a time, which sops accepts too)."""
    if "lastmodified" not in metadata:
        yield _damaged(document, [], "lastmodified is missing")
        return
    stamp = metadata["lastmodified"]
    if isinstance(stamp, date):
        return
    if not isinstance(stamp, str):
        yield _damaged(document, ["lastmodified"], "lastmodified is not a string")
    elif not _TIME.fullmatch(stamp):
        yield _damaged(document, ["lastmodified"], "lastmodified is not a time such as 2024-01-31T12:00:00Z")


def _damaged_recipients(document: Document, metadata: dict[str, Any]) -> Iterator[Problem]:
    groups = [g for g in (*RECIPIENT_GROUPS, "key_groups") if metadata.get(g)]
    if not groups:
        yield _damaged(document, [], f"no recipient holds its key ({', '.join(RECIPIENT_GROUPS)})")
    for group in (g for g in groups if g in RECIPIENT_GROUPS):
        entries = metadata[group]
        if not isinstance(entries, list):
            yield _damaged(document, [group], f"{group} is not a list")
            continue
        for index, entry in enumerate(entries):
            if not (isinstance(entry, dict) and isinstance(entry.get("enc"), str) and entry["enc"]):
                yield _damaged(document, [group, index], f"{group} entry {index + 1} has no enc")


def _damaged(document: Document, path: list[str | int], what: str) -> Problem:
    message = f"the sops metadata is damaged: {what}; restore the file from git or encrypt it anew"
    return document.problem([METADATA, *path], message, at_key=not path)


def _missing(
    document: Document, expected: tuple[str, ...], keys: list[str], declared_in: Document | None
) -> Iterator[Problem]:
    for index, name in enumerate(expected):
        if name in keys:
            continue
        if declared_in is not None:
            yield declared_in.problem(["secrets", index], f"{name!r} is missing from {document.path}")
        else:
            yield Problem(document.path, 1, 1, f"{name!r} is missing")
