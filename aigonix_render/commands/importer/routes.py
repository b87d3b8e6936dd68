"""Ingresses → a microservice's public path, each customer tenant's hosts and TLS secrets,
and the ingress class and certificate issuer of an environment.

The platform made one Ingress per customer tenant and host, named ``<env>-<ms>-<tenant
id[0:7]>``, telling the head its tenant with an nginx snippet that sets ``Tenant-ID``
(pkg/platform/customertenant/ingress.go: CreateIngresses, pkg/dolittle/k8s/ingress.go).
The tenant is read back with the platform's own expression
(pkg/platform/k8s/k8s_repo.go: GetCustomerTenantIDFromNginxConfigurationSnippet). An
Ingress whose tenant is no customer tenant but the one tenant of the legacy databases, the
one platform-api v2.7.0 made (``<env>-<ms>`` on its fixed host
``freshteapot-taco.dolittle.cloud`` with the tenant ``17426336-…``, v2.7.0
pkg/platform/microservice/k8s/doc.go: CreateTodoIngress), becomes a route of its own
(``ingress.routes``): its name, host, TLS secret and tenant.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.foundation import record

TENANT_SNIPPET = re.compile(r'proxy_set_header Tenant-ID "(\S+)"')
SNIPPET = "nginx.ingress.kubernetes.io/configuration-snippet"
ISSUER = "cert-manager.io/cluster-issuer"
# The schema's ingress path (microservice.schema.json $defs.path).
_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")

Host = tuple[str, str | None]


@record
class Route:
    ref: str
    tenant: str | None
    hosts: tuple[Host, ...]
    paths: tuple[tuple[str, str], ...]
    class_name: str | None
    issuer: str | None


def read_route(obj: KubeObject) -> Route:
    spec = obj.body.get("spec") or {}
    match = TENANT_SNIPPET.search(obj.annotations.get(SNIPPET, ""))
    secrets = {
        host: tls.get("secretName")
        for tls in _dicts(spec.get("tls"))
        for host in tls.get("hosts") or []
        if isinstance(host, str)
    }
    hosts, paths = [], []
    for rule in _dicts(spec.get("rules")):
        if isinstance(rule.get("host"), str):
            hosts.append((rule["host"], secrets.get(rule["host"])))
        for path in _dicts((rule.get("http") or {}).get("paths")):
            paths.append((str(path.get("path", "/")), str(path.get("pathType", "Prefix"))))
    return Route(
        obj.ref,
        match.group(1) if match else None,
        tuple(hosts),
        tuple(dict.fromkeys(paths)),
        spec.get("ingressClassName"),
        obj.annotations.get(ISSUER),
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value or [] if isinstance(v, dict)] if isinstance(value, list) else []


def public_path(routes: list[Route]) -> tuple[dict[str, str] | None, list[report.ReportLine]]:
    """The tree's ``ingress`` of one microservice in one environment: its one path."""
    paths = list(dict.fromkeys(p for route in routes for p in route.paths))
    usable = [p for p in paths if _PATH.fullmatch(p[0])]
    lines = [
        report.warning(
            route.ref, f"left out: the path {path[0]!r} (the tree holds one path per microservice)"
        )
        for route in routes
        for path in route.paths
        if not usable or path != usable[0]
    ]
    if not usable:
        return None, lines
    path, path_type = usable[0]
    return ({"path": path} | ({} if path_type == "Prefix" else {"pathType": path_type})), lines


def own_route(route: Route) -> dict[str, str] | None:
    """The tree's ``ingress.routes`` entry for an Ingress of one host; None for another (a
    route of its own holds one host, as v2.7.0's did)."""
    if route.tenant is None or len(route.hosts) != 1:
        return None
    [(host, secret)] = route.hosts
    entry = {"name": route.ref.split("/", 1)[1], "host": host}
    return entry | ({"secretName": secret} if secret else {}) | {"tenant": route.tenant}


@dataclass
class TenantHosts:
    """Each customer tenant's hosts in one environment, in the order the Ingresses list them."""

    hosts: dict[str, list[Host]] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)

    def owner_of(self, host: str) -> str | None:
        return next((t for t, hosts in self.hosts.items() if any(h == host for h, _ in hosts)), None)


def tenant_hosts(routes: Iterable[Route], tenants: list[str]) -> TenantHosts:
    found = TenantHosts({tenant: [] for tenant in tenants})
    for route in sorted(routes, key=lambda r: r.ref):
        if route.tenant not in found.hosts:
            continue
        for host, secret in route.hosts:
            _add_host(found, route, route.tenant, host, secret)
    return found


def _add_host(found: TenantHosts, route: Route, tenant: str, host: str, secret: str | None) -> None:
    owner = found.owner_of(host)
    known = dict(found.hosts.get(owner or tenant, []))
    if owner is None:
        found.hosts[tenant].append((host, secret))
    elif owner != tenant:
        message = f"left out: {host} is a host of tenant {owner} already; a host routes to one tenant"
        found.lines.append(report.warning(route.ref, message, "spec.rules"))
    elif known.get(host) != secret:
        message = f"left out: another TLS secret for {host} than the other Ingresses of the tenant"
        found.lines.append(report.warning(route.ref, message, "spec.tls"))


def most_common(values: Iterable[str | None]) -> str | None:
    """The value most Ingresses of an environment agree on (the first of equals)."""
    counted = Counter(v for v in values if v is not None)
    return counted.most_common(1)[0][0] if counted else None
