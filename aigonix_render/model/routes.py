"""The routes of a public microservice in one environment: one per customer tenant with
hosts whose tenant its ``resources.json`` knows, then its routes of their own.

A route is an Ingress or HTTPRoute: a name, hosts, and the tenant it sends in ``Tenant-ID``.
The platform made one per customer tenant (``<env>-<ms>-<tenant id[0:7]>``,
pkg/platform/customertenant/ingress.go: CreateIngresses). platform-api v2.7.0 made one
Ingress, ``<env>-<ms>``, on the fixed host ``freshteapot-taco.dolittle.cloud`` (TLS secret
``freshteapot-taco-certificate``) with the one tenant its Runtimes knew,
``17426336-fb8e-4425-8ab7-07d488367be9`` (v2.7.0 pkg/platform/microservice/k8s/doc.go:
CreateTodoIngress, TodoCustomersTenantID; pkg/dolittle/k8s/ingress.go: NewIngress): the
tree keeps it as a route of its own (``ingress.routes``), so its URL keeps answering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import names
from aigonix_render.model.route_values import Host, Route
from aigonix_render.model.values import ApplicationEnvironment, Microservice, Tenant


def own_routes(ingress: Mapping[str, Any] | None) -> tuple[Route, ...]:
    """The tree's ``ingress.routes``, in its order."""
    return tuple(
        Route(r["name"], r["tenant"], (Host(r["host"], r.get("secretName")),))
        for r in (ingress or {}).get("routes") or ()
    )


def public_routes(app_env: ApplicationEnvironment, ms: Microservice) -> tuple[Route, ...]:
    """The customer tenants' routes (those with hosts and a tenant to send), then the
    microservice's own."""
    environment = app_env.environment.name
    tenants = tuple(
        Route(names.route(environment, ms.name, tenant.id), header, tenant.hosts)
        for tenant in app_env.tenants
        if tenant.hosts and (header := tenant_header(ms, tenant)) is not None
    )
    return tenants + ms.routes


def tenant_header(ms: Microservice, tenant: Tenant) -> str | None:
    """The tenant a route from ``tenant``'s hosts names in ``Tenant-ID``: the host's own,
    one that ``resources.json`` names. A Runtime that keeps its pre-v2.8.0 databases knows
    one tenant only: the hosts of the customer tenant chosen for it (``customerTenant``)
    send that tenant, and no other tenant's hosts route to it (None), unless the tenant is
    that one."""
    legacy = ms.runtime.legacy if ms.runtime else None
    if legacy is None:
        return tenant.id
    if legacy.customer_tenant is not None and tenant.alias.lower() == legacy.customer_tenant.lower():
        return legacy.tenant
    return tenant.id if tenant.id.lower() == legacy.tenant.lower() else None
