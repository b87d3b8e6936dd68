"""An Ingress' and an HTTPRoute's hosts, paths and the names they refer to."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from aigonix_render.check.metadata import named_findings
from aigonix_render.check.objects import Finding
from aigonix_render.check.reader import list_at, value_at
from aigonix_render.foundation import names, record


def ingress_findings(spec: Any) -> Iterator[Finding]:
    ingress_class = value_at(spec, "ingressClassName")
    if ingress_class is not None:
        yield from named_findings("spec.ingressClassName", ingress_class, names.dns1123_subdomain)
    for i, rule in enumerate(list_at(spec, "rules")):
        if value_at(rule, "host"):
            yield from _host(f"spec.rules[{i}].host", value_at(rule, "host"))
        for j, path in enumerate(list_at(rule, "http", "paths")):
            field = f"spec.rules[{i}].http.paths[{j}]"
            yield from _route_path(field, value_at(path, "path"), value_at(path, "pathType"), _INGRESS_PATHS)
            service = value_at(path, "backend", "service", "name")
            if service is not None:
                yield from named_findings(f"{field}.backend.service.name", service, names.dns1035_label)
    for i, tls in enumerate(list_at(spec, "tls")):
        for j, host in enumerate(list_at(tls, "hosts")):
            yield from _host(f"spec.tls[{i}].hosts[{j}]", host, ip=True)
        if value_at(tls, "secretName") is not None:
            yield from named_findings(
                f"spec.tls[{i}].secretName", value_at(tls, "secretName"), names.dns1123_subdomain
            )


def http_route_findings(spec: Any) -> Iterator[Finding]:
    for i, host in enumerate(list_at(spec, "hostnames")):
        yield from _host(f"spec.hostnames[{i}]", host)
    for i, rule in enumerate(list_at(spec, "rules")):
        for j, match in enumerate(list_at(rule, "matches")):
            path = value_at(match, "path")
            if path is not None:
                value, path_type = value_at(path, "value"), value_at(path, "type")
                field = f"spec.rules[{i}].matches[{j}].path"
                value = "/" if value is None else value
                path_type = "PathPrefix" if path_type is None else path_type
                yield from _route_path(field, value, path_type, _GATEWAY_PATHS)
        redirects = any(value_at(f, "type") == "RequestRedirect" for f in list_at(rule, "filters"))
        if redirects and list_at(rule, "backendRefs"):
            message = "RequestRedirect filter must not be used together with backendRefs"
            yield Finding(f"spec.rules[{i}].filters", message)


def _host(field: str, host: Any, ip: bool = False) -> Iterator[Finding]:
    """A route's host: a DNS subdomain, perhaps under a leading ``*.``; never an IP address
    (``ip``: a TLS host may be one)."""
    if not isinstance(host, str):
        yield Finding(field, f"{host!r} must be a string", host)
    elif not ip and _is_ip(host):
        yield Finding(field, f"{host!r} must be a DNS name, not an IP address", host)
    else:
        why = names.dns1123_subdomain(host[2:] if host.startswith("*.") else host)
        if why or "*" in host[2:]:
            yield Finding(field, f"{host!r}: {why or 'a wildcard only as the first label'}", host)


def _is_ip(host: str) -> bool:
    """Go's ParseIPSloppy: IPv6, or IPv4 whose parts may have leading zeros."""
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts):
        return True
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


@record
class _PathRules:
    """What an API refuses in a route's path: Ingress' validation, HTTPRoute's CRD rules."""

    types: tuple[str, ...]
    strict: tuple[str, ...]
    segments: tuple[str, ...]
    endings: tuple[str, ...] = ("/..", "/.")


_INGRESS_PATHS = _PathRules(
    ("Exact", "Prefix", "ImplementationSpecific"), ("Exact", "Prefix"), ("//", "/./", "/../", "%2f", "%2F")
)
_GATEWAY_PATHS = _PathRules(
    ("Exact", "PathPrefix", "RegularExpression"),
    ("Exact", "PathPrefix"),
    ("//", "/./", "/../", "%2f", "%2F", "#"),
)


def _route_path(field: str, path: Any, path_type: Any, rules: _PathRules) -> Iterator[Finding]:
    if path_type not in rules.types:
        yield Finding(f"{field}.type", f"{path_type!r} is not one of {', '.join(rules.types)}", path_type)
    if not isinstance(path, str):
        yield Finding(field, f"{path!r} must be a string", path)
        return
    field = f"{field}.{'path' if rules is _INGRESS_PATHS else 'value'}"
    if (path_type in rules.strict or path) and not path.startswith("/"):
        yield Finding(field, f"{path!r} must be an absolute path (start with '/')", path)
    if path_type in rules.strict:
        for segment in (s for s in rules.segments if s in path):
            yield Finding(field, f"{path!r} must not contain {segment!r}", path)
        for ending in (e for e in rules.endings if path.endswith(e)):
            yield Finding(field, f"{path!r} must not end with {ending!r}", path)
