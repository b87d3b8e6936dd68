"""Kubernetes' rules for names and label values, as the API server applies them."""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


def dns1123_label(name: str) -> str | None:
    """None when ``name`` is a DNS-1123 label, else what is wrong with it."""
    if len(name) > 63:
        return f"longer than 63 characters ({len(name)})"
    if not _DNS1123_LABEL.fullmatch(name):
        return "not a DNS-1123 label (lower-case letters, digits and '-', starting and ending alphanumeric)"
    return None


def dns1035_label(name: str) -> str | None:
    """None when ``name`` is a DNS-1035 label (Service names), else what is wrong."""
    if len(name) > 63:
        return f"longer than 63 characters ({len(name)})"
    if not _DNS1035_LABEL.fullmatch(name):
        return "not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter)"
    return None


def dns1123_subdomain(name: str) -> str | None:
    """None when ``name`` is a DNS-1123 subdomain (most object names), else what is wrong."""
    if len(name) > 253:
        return f"longer than 253 characters ({len(name)})"
    if not all(_DNS1123_LABEL.fullmatch(part) for part in name.split(".")):
        return "not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')"
    return None


def label_value(value: str) -> str | None:
    """None when ``value`` may be a label value, else what is wrong."""
    if len(value) > 63:
        return f"longer than 63 characters ({len(value)})"
    if not _LABEL_VALUE.fullmatch(value):
        return "a label value allows only letters, digits, '-', '_' and '.', starting and ending alphanumeric"
    return None


def config_map_key(key: str) -> str | None:
    if len(key) > 253:
        return f"longer than 253 characters ({len(key)})"
    if not _CONFIG_KEY.fullmatch(key):
        return "a ConfigMap key allows only letters, digits, '-', '_' and '.'"
    return _dot_prefix(key)


def env_var_name(name: str) -> str | None:
    if not _ENV_NAME.fullmatch(name):
        return (
            "an environment variable name allows letters, digits, '_', '-' and '.', not starting with a digit"
        )
    return _dot_prefix(name)


def _dot_prefix(name: str) -> str | None:
    """Kubernetes refuses '.', '..' and names starting with '..' (kubelet's own files)."""
    if name in (".", "..") or name.startswith(".."):
        return "'.', '..' and names starting with '..' are reserved by Kubernetes"
    return None
