"""One microservice in one environment, read from its objects: the tree's document for
that environment alone, its config files and its secret values (in memory only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.configuration import config_files, env_variables, secret_values
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.platform_file import platform_json
from aigonix_render.commands.importer.recognise import MicroserviceObjects
from aigonix_render.commands.importer.routes import Route, own_route, public_path, read_route
from aigonix_render.commands.importer.runtime_files import (
    Owner,
    RuntimeFiles,
    read_runtime_files,
    runtime_settings,
)
from aigonix_render.commands.importer.workload import read_workload
from aigonix_render.foundation import platform, record


@record
class Place:
    """What a microservice's view needs from its application environment."""

    application: str
    tenants: tuple[str, ...]
    customer: str
    """The customer's ``tenant`` label: the render's ``customerName`` in platform.json."""


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
    if named := platform_json(ms.parts.get("dolittle"), place.customer):
        document["platformJson"] = named
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
    return runtime | runtime_settings(files, runtime["image"])


def _routes(view: View, ms: MicroserviceObjects, place: Place) -> None:
    """The public path, and the routes of its own."""
    routes = [read_route(route) for route in sorted(ms.routes, key=lambda r: r.name)]
    if not routes:
        return
    ingress, lines = public_path(routes)
    view.lines += lines
    own = _own_routes(view, [r for r in routes if r.tenant not in place.tenants])
    if ingress is not None:
        view.document["ingress"] = ingress | ({"routes": own} if own else {})


def _own_routes(view: View, routes: list[Route]) -> list[dict[str, str]]:
    """The Ingresses that send no customer tenant: one that sends the tenant of the
    Runtime's pre-v2.8.0 databases (v2.7.0's) is a route of its own, under its name; one
    that sends a tenant the Runtime does not know is left out."""
    legacy = view.document.get("runtime", {}).get("legacyDatabases")
    known = None if legacy is None else legacy.get("tenant", platform.LEGACY_TENANT).lower()
    own = []
    for route in routes:
        entry = own_route(route)
        if route.tenant is None or route.tenant.lower() != known:
            message = "left out: its Tenant-ID is no customer tenant of the environment"
            view.lines.append(report.warning(route.ref, message))
        elif entry is None:
            message = f"left out: a route of its own holds one host, not {len(route.hosts)}"
            view.lines.append(report.warning(route.ref, message, "spec.rules"))
        else:
            own.append(entry)
    return own
