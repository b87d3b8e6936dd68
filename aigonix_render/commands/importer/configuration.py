"""A microservice's env variables, config files and secret env variables in one environment.

From the ConfigMaps ``<env>-<ms>-env-variables`` and ``<env>-<ms>-config-files`` and the
Secret ``<env>-<ms>-secret-env-variables`` (platform-api v4.13.0
pkg/dolittle/k8s/configmaps.go, secret.go). Secret values are decoded into memory only;
a report line names a key, never a value.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import field_path
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.secrets import UNENCRYPTED_SUFFIX
from aigonix_render.foundation import names, unpublished


@dataclass
class Entries:
    """Keys and values read from one object, and the keys left out."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)

    def leave(self, obj: KubeObject, path: str, why: str) -> None:
        self.lines.append(report.warning(obj.ref, f"left out: {why}", path))


def env_variables(obj: KubeObject | None) -> Entries:
    entries = Entries()
    if obj is None:
        return entries
    for name, value in _mapping(obj.body.get("data")).items():
        path = field_path("data", name)
        if names.env_var_name(name) is not None:
            entries.leave(obj, path, "not a valid environment variable name")
        elif not isinstance(value, str):
            entries.leave(obj, path, "the value is not a string")
        else:
            entries.values[name] = value
    return entries


def config_files(obj: KubeObject | None) -> Entries:
    """``data`` holds UTF-8 files, ``binaryData`` the others (configFiles/repo.go:
    AddEntryToConfigFiles decided by utf8.Valid); both become files of the tree."""
    entries = Entries()
    if obj is None:
        return entries
    for name, value in _mapping(obj.body.get("data")).items():
        if isinstance(value, str):
            _file(entries, obj, field_path("data", name), name, value.encode("utf-8"))
        else:
            entries.leave(obj, field_path("data", name), "the value is not a string")
    for name, value in _mapping(obj.body.get("binaryData")).items():
        content = _base64(value)
        if content is None:
            entries.leave(obj, field_path("binaryData", name), "not base64")
        elif name in entries.values:
            entries.leave(obj, field_path("binaryData", name), "the same key is in data")
        else:
            _file(entries, obj, field_path("binaryData", name), name, content)
    return entries


def _file(entries: Entries, obj: KubeObject, path: str, name: str, content: bytes) -> None:
    if names.config_map_key(name) is not None or unpublished(name):
        entries.leave(obj, path, "a file of this name would be hidden or refused in files/")
    else:
        entries.values[name] = content


def secret_values(obj: KubeObject | None) -> Entries:
    """``data`` is base64 (the API server's form of the platform's ``stringData``)."""
    entries = Entries()
    if obj is None:
        return entries
    encoded = {
        name: (field_path("data", name), _base64(value))
        for name, value in _mapping(obj.body.get("data")).items()
    }
    plain = _mapping(obj.body.get("stringData"))
    for name, value in plain.items():
        encoded[name] = (
            field_path("stringData", name),
            value.encode("utf-8") if isinstance(value, str) else None,
        )
    for name, (path, content) in sorted(encoded.items()):
        _secret(entries, obj, path, name, content)
    return entries


def _secret(entries: Entries, obj: KubeObject, path: str, name: str, content: bytes | None) -> None:
    if names.env_var_name(name) is not None:
        entries.leave(obj, path, "not a valid environment variable name")
        return
    if name.endswith(UNENCRYPTED_SUFFIX):
        entries.leave(obj, path, f"sops leaves the values of keys ending {UNENCRYPTED_SUFFIX} unencrypted")
        return
    text = _utf8(content)
    if text is None:
        entries.leave(obj, path, "the value is not UTF-8 text, which a secrets file holds")
    elif not text:
        entries.leave(obj, path, "the value is empty, which a secrets file refuses")
    else:
        entries.values[name] = text


def _utf8(content: bytes | None) -> str | None:
    if content is None:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _base64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}
