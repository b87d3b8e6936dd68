"""A microservice's Deployment in one environment → its head, Runtime and replicas.

The platform's Deployment (platform-api v4.13.0 pkg/dolittle/k8s/deployment.go:
NewDeployment, pkg/platform/microservice/simple/k8s/resources.go: NewDeployment) has a
``head`` container, a ``runtime`` container when the microservice uses the Runtime, one
replica and the platform's resources. What differs from that and the tree can hold
(replicas, resources, probes) is kept and reported as a hand edit; what it cannot hold
is reported here when it is a whole container, else by the comparison with the render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.foundation import names, platform

HEAD = "head"
RUNTIME = "runtime"
CONTAINERS = "spec.template.spec.containers"
PROBES = ("liveness", "readiness", "startup")


@dataclass
class Workload:
    """The Deployment's part of one environment's microservice document."""

    head: dict[str, Any]
    runtime: dict[str, Any] | None
    replicas: int
    m3_connector: bool
    env: dict[str, str] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)


def read_workload(deployment: KubeObject, environment: str) -> Workload:
    spec = deployment.body.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    containers = [c for c in pod.get("containers") or [] if isinstance(c, dict)]
    head = next((c for c in containers if c.get("name") == HEAD), containers[0] if containers else {})
    runtime = next((c for c in containers if c.get("name") == RUNTIME), None)
    defaults = platform.default_resources(platform.is_production(environment))
    replicas = spec.get("replicas", platform.DEFAULT_REPLICAS)
    volumes = {v.get("name") for v in pod.get("volumes") or [] if isinstance(v, dict)}
    workload = Workload(
        _head(head, defaults),
        _runtime(runtime, defaults) if runtime is not None else None,
        replicas,
        names.kafka_files(environment) in volumes,
    )
    workload.lines += _extra_containers(deployment, pod, {id(head), id(runtime)})
    _hand_edits(deployment, workload, head)
    return workload


def _head(container: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {"image": container.get("image", "")}
    head["port"] = _http_port(container)
    for key in ("command", "args"):
        if container.get(key):
            head[key] = [str(part) for part in container[key]]
    changes = resource_changes(container.get("resources"), defaults)
    if changes:
        head["resources"] = changes
    # Written even when empty: none on purpose, as the platform made none; adding them
    # changes the pod template and restarts the pods.
    head["probes"] = _probes(container)
    return head


def _http_port(container: Mapping[str, Any]) -> int:
    """The port named http (simple/k8s/resources.go), else the first, else the default."""
    ports = [p for p in container.get("ports") or [] if isinstance(p, dict)]
    chosen = next((p for p in ports if p.get("name") == "http"), ports[0] if ports else {})
    port = chosen.get("containerPort")
    return port if isinstance(port, int) else platform.DEFAULT_HEAD_PORT


def _runtime(container: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    runtime: dict[str, Any] = {"image": container.get("image", "")}
    changes = resource_changes(container.get("resources"), defaults)
    if changes:
        runtime["resources"] = changes
    return runtime


def resource_changes(actual: Any, defaults: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The tree's ``resources``: what differs from the platform's defaults, ``null`` where
    the container has none (platform-api v2.7.0 gave the head no resources at all)."""
    actual = actual if isinstance(actual, dict) else {}
    changes: dict[str, Any] = {}
    for kind in ("requests", "limits"):
        have = actual.get(kind)
        if not isinstance(have, dict) or not have:
            changes[kind] = None
            continue
        differ = {
            name: None if name not in have else str(have[name])
            for name, value in defaults[kind].items()
            if str(have.get(name, "")) != value
        }
        if differ:
            changes[kind] = differ
    return changes


def _probes(container: Mapping[str, Any]) -> dict[str, Any]:
    """HTTP GET probes, which the tree holds; the platform made none."""
    probes = {}
    for kind in PROBES:
        probe = container.get(f"{kind}Probe")
        get = probe.get("httpGet") if isinstance(probe, dict) else None
        if isinstance(probe, dict) and isinstance(get, dict) and isinstance(get.get("path"), str):
            probes[kind] = _probe(probe, get)
    return probes


def _probe(probe: Mapping[str, Any], get: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"path": get["path"]}
    if isinstance(get.get("port"), int):
        found["port"] = get["port"]
    for key in ("initialDelaySeconds", "periodSeconds"):
        if isinstance(probe.get(key), int):
            found[key] = probe[key]
    return found


def _extra_containers(
    deployment: KubeObject, pod: Mapping[str, Any], known: set[int]
) -> list[report.ReportLine]:
    lines = []
    for container in pod.get("containers") or []:
        if id(container) not in known:
            name = container.get("name", "?") if isinstance(container, dict) else "?"
            path = f"{CONTAINERS}[{name}]"
            lines.append(
                report.warning(deployment.ref, "left out: the tree has a head and a Runtime only", path)
            )
    for container in pod.get("initContainers") or []:
        name = container.get("name", "?") if isinstance(container, dict) else "?"
        path = f"spec.template.spec.initContainers[{name}]"
        lines.append(report.warning(deployment.ref, "left out: the tree has no init containers", path))
    return lines


def _hand_edits(deployment: KubeObject, workload: Workload, head: Mapping[str, Any]) -> None:
    """What the platform never set: kept where the tree can hold it, and said so."""
    ref = deployment.ref
    if workload.replicas != platform.DEFAULT_REPLICAS:
        message = f"kept {workload.replicas} (a hand edit: the platform made {platform.DEFAULT_REPLICAS})"
        workload.lines.append(report.warning(ref, message, "spec.replicas"))
    for kind in workload.head.get("probes", {}):
        path = f"{CONTAINERS}[{HEAD}].{kind}Probe"
        workload.lines.append(report.warning(ref, "kept (a hand edit: the platform made no probes)", path))
    for index, variable in enumerate(head.get("env") or []):
        _moved_env(ref, workload, index, variable)


def _moved_env(ref: str, workload: Workload, index: int, variable: Any) -> None:
    """A variable set in the Deployment instead of its ConfigMap: its value goes to ``env``
    (it wins over the ConfigMap's, as in Kubernetes); one read from elsewhere is left."""
    name = variable.get("name") if isinstance(variable, dict) else None
    path = f"{CONTAINERS}[{HEAD}].env[{name or index}]"
    value = variable.get("value") if isinstance(variable, dict) else None
    if isinstance(name, str) and isinstance(value, str) and names.env_var_name(name) is None:
        workload.env[name] = value
        message = (
            "kept in env (a hand edit in the Deployment; the render moves it to the env-variables ConfigMap)"
        )
        workload.lines.append(report.warning(ref, message, path))
    else:
        workload.lines.append(report.warning(ref, "left out: the tree holds plain values of env only", path))
