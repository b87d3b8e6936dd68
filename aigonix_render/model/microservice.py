"""One microservice as it is in one environment: its document with the environment's
overrides merged, platform defaults filled in, its Runtime and legacy databases resolved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import names, platform
from aigonix_render.load import MicroserviceFolder, effective_files, effective_resources, merged_document
from aigonix_render.model.routes import own_routes
from aigonix_render.model.values import Environment, LegacyDatabases, Microservice, Probe, Resources, Runtime


def effective_microservice(
    folder: MicroserviceFolder, environment: Environment, application: str
) -> Microservice:
    raw = folder.document.data
    data = merged_document(raw, environment.name)
    head = data["head"]
    ingress = data.get("ingress")
    defaults = platform.default_resources(environment.production)
    secrets = tuple(sorted(data.get("secrets") or ()))
    return Microservice(
        name=data["name"],
        id=data["id"],
        folder=folder.folder,
        image=head["image"],
        port=head.get("port", platform.DEFAULT_HEAD_PORT),
        command=tuple(head.get("command") or ()),
        args=tuple(head.get("args") or ()),
        resources=_resources(effective_resources(raw, environment.name, "head", defaults)),
        probes=tuple(_probe(k, v) for k, v in sorted((head.get("probes") or {}).items())),
        ingress_path=ingress["path"] if ingress else None,
        ingress_path_type=(ingress or {}).get("pathType", "Prefix"),
        replicas=data.get("replicas", platform.DEFAULT_REPLICAS),
        env=tuple(sorted((data.get("env") or {}).items())),
        secrets=secrets,
        secrets_file=_secrets_file(folder, environment.name) if secrets else None,
        files=effective_files(folder, environment.name),
        runtime=_runtime(raw, data, environment, application),
        m3_connector=bool((data.get("connections") or {}).get("m3Connector", False)),
        target_port_by_name=head.get("serviceTargetPort") == "name",
        routes=own_routes(ingress),
        customer_name=(data.get("platformJson") or {}).get("customerName"),
    )


def _resources(merged: Mapping[str, Any]) -> Resources:
    """Sorted, quantities as text, kinds a ``null`` emptied left out."""
    return tuple(
        (kind, tuple((k, str(v)) for k, v in sorted(values.items())))
        for kind, values in sorted(merged.items())
        if values
    )


def _runtime(
    raw: Mapping[str, Any], data: Mapping[str, Any], environment: Environment, application: str
) -> Runtime | None:
    runtime = data.get("runtime")
    if runtime is None:
        return None
    defaults = platform.default_resources(environment.production)
    legacy = runtime.get("legacyDatabases")
    return Runtime(
        runtime.get("image", platform.DEFAULT_RUNTIME_IMAGE),
        tuple(sorted(runtime.get("publicStreams") or ())),
        _resources(effective_resources(raw, environment.name, "runtime", defaults)),
        None if legacy is None else _legacy(legacy, application, environment.name, data["name"]),
        runtime.get("backwardsCompatibility"),
        runtime.get("managementEndpoint"),
    )


def _legacy(
    data: Mapping[str, Any], application: str, environment: str, microservice: str
) -> LegacyDatabases:
    prefix = data.get("prefix") or names.legacy_database_prefix(application, environment, microservice)
    return LegacyDatabases(data.get("tenant", platform.LEGACY_TENANT), prefix, data.get("customerTenant"))


def _probe(kind: str, data: Mapping[str, Any]) -> Probe:
    return Probe(
        kind,
        data["path"],
        data.get("port"),
        data.get("initialDelaySeconds"),
        data.get("periodSeconds"),
    )


def _secrets_file(folder: MicroserviceFolder, environment: str) -> str | None:
    document = folder.secrets.get(environment)
    return document.path if document else None
