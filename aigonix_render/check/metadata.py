"""Names, labels and annotations as the API server takes them.

An object's name by its kind's rule, its namespace, label and annotation keys and values,
and any field that names another object (``named_findings``), each built on ``names``'
rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from aigonix_render.check.objects import Finding, RenderedObject
from aigonix_render.foundation import names

ANNOTATIONS_LIMIT = 256 * 1024
"""What the annotations of one object may hold, keys and values (TotalAnnotationSizeLimitB)."""


def name_rules(obj: RenderedObject) -> Iterator[Finding]:
    why = _name_rule(obj.kind)(obj.name)
    if why:
        yield Finding("metadata.name", f"{obj.name!r}: {why}", obj.name)
    if obj.namespace is not None and names.dns1123_label(obj.namespace):
        yield Finding("metadata.namespace", f"{obj.namespace!r}: {names.dns1123_label(obj.namespace)}")


def _name_rule(kind: str) -> Callable[[str], str | None]:
    """Most names are DNS subdomains; the API server's exceptions by kind."""
    return _NAME_RULES.get(kind, names.dns1123_subdomain)


def _stateful_set_name(name: str) -> str | None:
    """Its pods are named ``<name>-<ordinal>`` and carry that name as a label value."""
    why = names.dns1123_label(f"{name}-0")
    return f"its first pod would be named {name}-0: {why}" if why else None


def _cron_job_name(name: str) -> str | None:
    """Its Jobs get an 11-character suffix and must stay DNS-1035 labels."""
    return names.dns1123_subdomain(name) or (
        f"longer than 52 characters ({len(name)})" if len(name) > 52 else None
    )


def _path_segment(name: str) -> str | None:
    if name in (".", "..") or "/" in name or "%" in name or not name:
        return "may not be '.', '..' or empty, nor hold '/' or '%'"
    return None


_NAME_RULES: dict[str, Callable[[str], str | None]] = {
    "Service": names.dns1035_label,
    "Namespace": names.dns1123_label,
    "StatefulSet": _stateful_set_name,
    "CronJob": _cron_job_name,
    "Role": _path_segment,
    "RoleBinding": _path_segment,
    "ClusterRole": _path_segment,
    "ClusterRoleBinding": _path_segment,
}


def label_findings(field: str, labels: Mapping[str, Any]) -> Iterator[Finding]:
    for key, value in labels.items():
        why = _qualified_name(str(key))
        if why:
            yield Finding(field, f"key {key!r}: {why}", key)
        if not isinstance(value, str):
            yield Finding(f"{field}.{key}", f"{value!r}: a label value must be a string", value)
        elif _label_value(value):
            yield Finding(f"{field}.{key}", f"{value!r}: {_label_value(value)}", value)


_label_value = lru_cache(maxsize=65536)(names.label_value)
"""Label values repeat on every object of an application: each checked once."""


def selector_findings(field: str, selector: Mapping[str, Any]) -> Iterator[Finding]:
    """A Service's selector is labels; a label selector's ``matchLabels`` are checked as such."""
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        yield from label_findings(field, selector)


def annotation_findings(field: str, annotations: Mapping[str, Any]) -> Iterator[Finding]:
    size = 0
    for key, value in annotations.items():
        why = _qualified_name(str(key).lower())  # the API server lower-cases annotation keys first
        if why:
            yield Finding(field, f"key {key!r}: {why}", key)
        if not isinstance(value, str):
            yield Finding(f"{field}.{key}", f"{value!r}: an annotation value must be a string", value)
        size += len(f"{key}{value}".encode("utf-8", "surrogatepass"))
    if size > ANNOTATIONS_LIMIT:
        limit = f"over the {ANNOTATIONS_LIMIT // 1024} KiB the annotations of one object may hold"
        yield Finding(field, f"hold {size} bytes, {limit}")


@lru_cache(maxsize=1024)
def _qualified_name(key: str) -> str | None:
    """A label or annotation key: an optional DNS subdomain prefix, '/', and a name."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or names.dns1123_subdomain(prefix)):
        return f"the prefix {prefix!r} is not a DNS subdomain"
    if not name or names.label_value(name):
        return "the name must be 1-63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def named_findings(field: str, value: Any, rule: Callable[[str], str | None]) -> Iterator[Finding]:
    why = rule(value) if isinstance(value, str) else "must be a string"
    if why:
        yield Finding(field, f"{value!r}: {why}", value)
