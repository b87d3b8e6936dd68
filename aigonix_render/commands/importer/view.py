"""One microservice in one environment, read from its objects: the tree's document for
that environment alone, its config files and its secret values (in memory only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.configuration import config_files, env_variables, secret_values
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.recognise import MicroserviceObjects
from aigonix_render.commands.importer.routes import TenantHosts, public_path, read_route
from aigonix_render.commands.importer.runtime_files import Owner, RuntimeFiles, read_runtime_files
from aigonix_render.commands.importer.workload import read_workload
from aigonix_render.foundation import platform


@dataclass(frozen=True)
class Place:
    """What a microservice's view needs from its application environment."""

    application: str
    tenants: tuple[str, ...]
    hosts: TenantHosts
    aliases: Mapping[str, str]


@dataclass
class View:
    environment: str
    document: dict[str, Any]
    files: dict[str, bytes]
    secrets: dict[str, str]
    runtime_files: RuntimeFiles
    lines: list[report.ReportLine] = field(default_factory=list)


def read_view(ms: MicroserviceObjects, place: Place) -> View | None:
    """None where the microservice has no Deployment: it does not run there."""
    deployment = ms.parts.get("deployment")
    if deployment is None:
        return None
    env = ms.environment
    workload = read_workload(deployment, env)
    variables = env_variables(ms.parts.get("env-variables"))
    files = config_files(ms.parts.get("config-files"))
    secrets = secret_values(ms.parts.get("secret"))
    owner = Owner(place.application, env, ms.name, ms.id, place.tenants)
    runtime_files = read_runtime_files(ms.parts.get("dolittle"), owner)
    if _targets_by_name(ms.parts.get("service")):
        workload.head["serviceTargetPort"] = "name"
    document: dict[str, Any] = {"head": workload.head}
    if workload.runtime is not None:
        document["runtime"] = _runtime(workload.runtime, runtime_files)
    view = View(env, document, files.values, secrets.values, runtime_files)
    view.lines += workload.lines + variables.lines + files.lines + secrets.lines + runtime_files.lines
    _routes(view, ms, place)
    if workload.m3_connector:
        document["connections"] = {"m3Connector": True}
    if workload.replicas != platform.DEFAULT_REPLICAS:
        document["replicas"] = workload.replicas
    document["env"] = {**variables.values, **workload.env}
    return view


def _targets_by_name(service: KubeObject | None) -> bool:
    """The Service's port http targets the head's port by its name http (platform-api v2.7.0)."""
    ports = ((service.body.get("spec") or {}).get("ports") or []) if service else []
    http = next((p for p in ports if isinstance(p, dict) and p.get("name") == "http"), {})
    return http.get("targetPort") == "http"


def _runtime(runtime: dict[str, Any], files: RuntimeFiles) -> dict[str, Any]:
    if files.legacy is not None:
        runtime["legacyDatabases"] = dict(files.legacy)
    return runtime


def _routes(view: View, ms: MicroserviceObjects, place: Place) -> None:
    """The public path; the Ingress of a Runtime that keeps its pre-v2.8.0 databases names
    the legacy tenant, and the customer tenant owning its host is the one that reaches it."""
    routes = [read_route(route) for route in sorted(ms.routes, key=lambda r: r.name)]
    if not routes:
        return
    ingress, lines = public_path(routes)
    view.lines += lines
    if ingress is not None:
        view.document["ingress"] = ingress
    legacy = view.document.get("runtime", {}).get("legacyDatabases")
    for route in routes:
        if route.tenant in place.tenants:
            continue
        if legacy is not None and route.tenant == legacy.get("tenant", platform.LEGACY_TENANT):
            _legacy_tenant(view, legacy, route.ref, [h for h, _ in route.hosts], place)
        else:
            message = "left out: its Tenant-ID is no customer tenant of the environment"
            view.lines.append(report.warning(route.ref, message))


def _legacy_tenant(view: View, legacy: dict[str, str], ref: str, hosts: list[str], place: Place) -> None:
    owners = {place.hosts.owner_of(host) for host in hosts} - {None}
    if len(owners) == 1:
        owner = owners.pop()
        assert owner is not None
        legacy["customerTenant"] = place.aliases[owner]
        return
    message = (
        "left out: no customer tenant serves its hosts elsewhere; the render routes every tenant's hosts"
    )
    view.lines.append(report.warning(ref, message, "spec.rules"))
