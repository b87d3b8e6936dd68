"""The rules of a public microservice's routes in one environment: which tenants they send.

A route sends a tenant in ``Tenant-ID``, and the head finds that tenant's data through
``resources.json``: each customer tenant, or the one tenant of a Runtime that keeps its
pre-v2.8.0 databases (``runtime.legacyDatabases``). Render gives the customer tenants'
hosts no route to such a Runtime but through ``customerTenant`` (``model.routes``); a route
of its own (``ingress.routes``, the Ingress platform-api v2.7.0 made) may send its tenant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.foundation import Problem, platform
from aigonix_render.load import Document, override_path

LEGACY_PATH = ["runtime", "legacyDatabases"]


def route_problems(
    app: Document, document: Document, env_name: str, merged: Mapping[str, Any]
) -> Iterator[Problem]:
    """The customer tenant chosen for legacy databases must exist; a public head whose
    tenants no route sends would find no data for any request; a route of its own should
    send a tenant that ``resources.json`` names."""
    tenants = app.data["environments"][env_name]["tenants"]
    legacy = (merged.get("runtime") or {}).get("legacyDatabases")
    if legacy is not None:
        yield from _legacy(document, env_name, merged, legacy, tenants)
    known = {t["id"].lower() for t in tenants} if legacy is None else {_legacy_tenant(legacy)}
    for index, route in enumerate((merged.get("ingress") or {}).get("routes") or ()):
        if route["tenant"].lower() not in known:
            path = override_path(document.data, env_name, ["ingress", "routes"])
            message = (
                f"in {env_name} the route {route['name']} sends the tenant {route['tenant'].lower()}, which"
                f" resources.json does not name ({', '.join(sorted(known))}): the head finds no data for it"
            )
            yield document.problem([*path, index, "tenant"], message, warning=True)


def _legacy_tenant(legacy: Mapping[str, Any]) -> str:
    tenant: str = legacy.get("tenant", platform.LEGACY_TENANT)
    return tenant.lower()


def _legacy(
    document: Document,
    env_name: str,
    merged: Mapping[str, Any],
    legacy: Mapping[str, Any],
    tenants: list[Mapping[str, Any]],
) -> Iterator[Problem]:
    chosen = legacy.get("customerTenant")
    if chosen is not None and chosen.lower() not in {t["alias"].lower() for t in tenants}:
        message = f"{env_name} has no customer tenant {chosen!r} ({', '.join(t['alias'] for t in tenants)})"
        yield document.problem(
            override_path(document.data, env_name, [*LEGACY_PATH, "customerTenant"]), message
        )
    tenant = _legacy_tenant(legacy)
    own = {r["tenant"].lower() for r in (merged.get("ingress") or {}).get("routes") or ()}
    routed = chosen is not None or tenant in own or tenant in {t["id"].lower() for t in tenants}
    if merged.get("ingress") and not routed:
        message = (
            f"in {env_name} the Runtime knows only the tenant {tenant}, which no route names: set"
            " customerTenant to the customer tenant whose hosts reach it, or give ingress.routes a"
            " route that sends it"
        )
        where = override_path(document.data, env_name, LEGACY_PATH)
        yield document.problem(where, message, at_key=True, warning=True)
