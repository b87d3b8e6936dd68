"""The rules of what a tree may say about the platform it adopts: Runtime versions, legacy
databases, backups and routes (the tenants a microservice's routes send: ``routes``).

Each problem is reported where the value is written (an environment override, when it
sets the value). Only documents that passed the schema (``valid``) are checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.foundation import Problem, names, platform
from aigonix_render.load import (
    ApplicationFolder,
    Document,
    MicroserviceFolder,
    PathPart,
    Tree,
    deployed_environments,
    merged_document,
    override_path,
)
from aigonix_render.validate.listeners import listener_problems
from aigonix_render.validate.routes import route_problems

# A MongoDB database name has fewer than 64 characters; the longest suffix is _projections.
MAX_DATABASE_PREFIX = 63 - max(len(s) for s in names.DATABASE_SUFFIXES)
# Segments an HTTPRoute path may not hold (the CRD's x-kubernetes-validations of HTTPPathMatch).
GATEWAY_PATH_SEGMENTS = ("//", "/./", "/../")
# The route kinds that render HTTPRoutes.
GATEWAY_KINDS = (platform.GATEWAY, platform.BOTH_ROUTES)


def check(tree: Tree, valid: set[str]) -> Iterator[Problem]:
    customer = tree.customer
    if customer is None or customer.path not in valid:
        return
    environments: dict[str, Any] = customer.data["environments"]
    yield from _routes(customer)
    gateway = {
        name for name, env in environments.items() if (env.get("routes") or {}).get("kind") in GATEWAY_KINDS
    }
    exact = bool((customer.data.get("adoption") or {}).get("exact"))
    for app in tree.applications:
        if app.document.path not in valid:
            continue
        yield from _backup(app.document)
        yield from _hostnames(app.document, gateway)
        for ms in app.microservices:
            if ms.document.path in valid:
                yield from _microservice(app, ms, set(environments), gateway)
                if exact:
                    yield from _unreachable_producers(app, ms, set(environments))


# --- customer -------------------------------------------------------------------------


def _routes(customer: Document) -> Iterator[Problem]:
    for name, env in customer.data["environments"].items():
        routes = env.get("routes")
        if routes is None:
            continue
        path: list[PathPart] = ["environments", name, "routes"]
        if routes["kind"] in GATEWAY_KINDS:
            yield from _gateway_routes(customer, name, env, path)
        elif "gateway" in routes:
            message = (
                f"gateway is read only with kind: {platform.GATEWAY} or {platform.BOTH_ROUTES};"
                f" {name} renders ingress-nginx Ingresses"
            )
            yield customer.problem([*path, "gateway"], message, at_key=True)


def _gateway_routes(
    customer: Document, name: str, env: Mapping[str, Any], path: list[PathPart]
) -> Iterator[Problem]:
    if "gateway" not in env["routes"]:
        message = (
            f"routes of kind {env['routes']['kind']} attach to a Gateway: add gateway: {{name, namespace}}"
        )
        yield customer.problem(path, message, at_key=True)
    else:
        yield from listener_problems(customer, env["routes"]["gateway"], [*path, "gateway"])
    yield from _proxy_labels(customer, [*path, "gateway", "dataPlane", "podLabels"], env["routes"])
    if "ingress" in env and env["routes"]["kind"] == platform.GATEWAY:
        message = (
            f"{name} renders HTTPRoutes, so these Ingress settings have no effect"
            " (the Gateway's listeners hold the certificates)"
        )
        yield customer.problem(["environments", name, "ingress"], message, at_key=True, warning=True)


def _proxy_labels(customer: Document, path: list[PathPart], routes: Mapping[str, Any]) -> Iterator[Problem]:
    """The labels that select the Gateway's proxies go into a NetworkPolicy as they are."""
    proxies = (routes.get("gateway") or {}).get("dataPlane") or {}
    for key, value in (proxies.get("podLabels") or {}).items():
        why = names.label_key(key)
        if why:
            yield customer.problem([*path, key], f"{key!r} cannot be a label key: {why}", at_key=True)
        why = names.label_value(value)
        if why:
            yield customer.problem([*path, key], f"{value!r} cannot be a label value: {why}")


# --- application ----------------------------------------------------------------------


def _backup(document: Document) -> Iterator[Problem]:
    backup = (document.data.get("eventStore") or {}).get("backup")
    if backup is None:
        return
    path: list[PathPart] = ["eventStore", "backup"]
    places = [key for key in ("azureFileShare", "claimName") if key in backup]
    if not places:
        yield document.problem(path, "a backup needs a place: azureFileShare or claimName", at_key=True)
    elif len(places) > 1:
        message = "a backup goes to one place: azureFileShare or claimName, not both"
        yield document.problem([*path, places[1]], message, at_key=True)


def _hostnames(document: Document, gateway: set[str]) -> Iterator[Problem]:
    """An HTTPRoute holds all of a tenant's hosts, and only so many."""
    limit = platform.GATEWAY_MAX_HOSTNAMES
    for env_name, env in document.data["environments"].items():
        for index, tenant in enumerate(env["tenants"]):
            hosts = tenant.get("hosts") or []
            if env_name in gateway and len(hosts) > limit:
                path: list[PathPart] = ["environments", env_name, "tenants", index, "hosts"]
                message = f"in {env_name} a tenant's hosts share one HTTPRoute, which holds at most {limit} ({len(hosts)} here)"
                yield document.problem(path, message, at_key=True)


# --- microservice ---------------------------------------------------------------------


def _microservice(
    app: ApplicationFolder, ms: MicroserviceFolder, declared: set[str], gateway: set[str]
) -> Iterator[Problem]:
    document = ms.document
    yield from _runtime_images(document)
    for env_name in deployed_environments(app.document.data, document.data, declared):
        merged = merged_document(document.data, env_name)
        yield from _legacy_prefix(app.document, document, env_name, merged)
        yield from _no_backwards_compatibility(document, env_name, merged)
        yield from route_problems(app.document, document, env_name, merged)
        if env_name in gateway and merged.get("ingress"):
            yield from _gateway_path(document, env_name, merged["ingress"])


def _unreachable_producers(
    app: ApplicationFolder, ms: MicroserviceFolder, declared: set[str]
) -> Iterator[Problem]:
    """With exact adoption nothing admits a consumer to its own application's producer in
    another environment: the platform made no NetworkPolicy for that, so its ``<env>`` policy
    blocks the subscription, and the render keeps it so."""
    document = ms.document
    deployed = deployed_environments(app.document.data, document.data, declared)
    for index, entry in enumerate(document.data.get("eventHorizons") or []):
        producer = entry["producer"]
        there = producer.get("environment")
        if producer["application"] != app.document.data["name"] or there is None:
            continue
        if any(env != there for env in deployed):
            message = (
                f"no NetworkPolicy admits this consumer to {producer['microservice']} in {there}: the platform"
                " made none within an application, and adoption.exact renders what it made; the subscription"
                " cannot connect (leave adoption.exact out to render <env>-<ms>-event-horizons for it)"
            )
            yield document.problem(["eventHorizons", index, "producer", "environment"], message, warning=True)


def _runtime_images(document: Document) -> Iterator[Problem]:
    """An image whose Runtime version cannot be told gets the files of the default version,
    unless the tree states both things the version decides (backwards compatibility and
    endpoints) where the image is set: then the files do not depend on it."""
    overrides = document.data.get("environments") or {}
    places = [([], document.data, document.data)] + [
        (["environments", e], o, merged_document(document.data, e)) for e, o in overrides.items()
    ]
    for prefix, data, merged in places:
        image = (data.get("runtime") or {}).get("image")
        stated = {"backwardsCompatibility", "managementEndpoint"} <= set(merged.get("runtime") or {})
        if image is not None and not stated and platform.runtime_shape(image) is None:
            low, high = (".".join(map(str, v)) for v in platform.PLACED_RUNTIMES)
            message = (
                f"cannot tell which Runtime version {image!r} is, so its files are rendered as for"
                f" {platform.DEFAULT_RUNTIME_IMAGE}; use a dolittle/runtime:<version> tag, {low} or later"
                f" and before {high}, or state runtime.backwardsCompatibility and runtime.managementEndpoint"
            )
            yield document.problem([*prefix, "runtime", "image"], message, warning=True)


def _no_backwards_compatibility(
    document: Document, env_name: str, merged: Mapping[str, Any]
) -> Iterator[Problem]:
    """``none`` on a Runtime that refuses to start without a version (8.0.0 to 9.2.x): kept
    as the platform wrote it (import writes it), but the Runtime does not run."""
    runtime = merged.get("runtime") or {}
    if runtime.get("backwardsCompatibility") != platform.NO_BACKWARDS_COMPATIBILITY:
        return
    image = runtime.get("image", platform.DEFAULT_RUNTIME_IMAGE)
    default = platform.runtime_shape(image)
    if default is None or default.backwards_compatibility is None:
        return
    message = (
        f"in {env_name} the Runtime {image!r} refuses to start without a backwards compatibility version"
        " (EventSourceBackwardsCompatibilityMustBeConfigured): give the format its event store is in, V6 or V7"
    )
    where = override_path(document.data, env_name, ["runtime", "backwardsCompatibility"])
    yield document.problem(where, message, warning=True)


def _legacy_prefix(
    app: Document, document: Document, env_name: str, merged: Mapping[str, Any]
) -> Iterator[Problem]:
    """The platform's own legacy prefix can be too long for MongoDB; then it must be given."""
    legacy = (merged.get("runtime") or {}).get("legacyDatabases")
    if legacy is None or "prefix" in legacy:
        return
    prefix = names.legacy_database_prefix(app.data["name"], env_name, merged["name"])
    if len(prefix) > MAX_DATABASE_PREFIX:
        where = override_path(document.data, env_name, ["runtime", "legacyDatabases"])
        message = (
            f"in {env_name} the legacy database prefix would be {prefix!r}, longer than the"
            f" {MAX_DATABASE_PREFIX} characters MongoDB leaves room for; give the prefix the databases have"
        )
        yield document.problem(where, message, at_key=True)


def _gateway_path(document: Document, env_name: str, ingress: Mapping[str, Any]) -> Iterator[Problem]:
    path_type = ingress.get("pathType", "Prefix")
    if path_type not in platform.GATEWAY_PATH_TYPES:
        where = override_path(document.data, env_name, ["ingress", "pathType"])
        allowed = " or ".join(platform.GATEWAY_PATH_TYPES)
        message = f"in {env_name} routes are HTTPRoutes, which have no pathType {path_type}; use {allowed}"
        yield document.problem(where, message)
    value = ingress["path"]
    if any(s in value for s in GATEWAY_PATH_SEGMENTS) or value.endswith(("/.", "/..")):
        where = override_path(document.data, env_name, ["ingress", "path"])
        message = f"in {env_name} routes are HTTPRoutes, whose paths may not hold '//', '/./' or '/../' nor end in '/.' or '/..'"
        yield document.problem(where, message)
