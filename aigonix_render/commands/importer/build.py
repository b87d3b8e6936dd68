"""Stage 3 of an import: the recognised objects → the tree's documents, in memory.

Applications are read environment by environment; a microservice's environments are then
merged into one document. Every fact about names, ports and defaults comes from
``names`` and ``platform``, the modules the render builds the same objects with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.commands.importer.horizons import Directory, Known, aliases, consent_ids, published
from aigonix_render.commands.importer.microservices import MicroserviceTree, Owner, build_microservice
from aigonix_render.commands.importer.order import platform_order
from aigonix_render.commands.importer.recognise import (
    SIMPLE,
    ApplicationObjects,
    MicroserviceObjects,
    Recognised,
)
from aigonix_render.commands.importer.role import developer_role
from aigonix_render.commands.importer.routes import Route, TenantHosts, most_common, read_route, tenant_hosts
from aigonix_render.commands.importer.shared import (
    Registry,
    Sealed,
    developer_groups,
    event_store,
    kafka_files,
    registry,
    storage_account,
)
from aigonix_render.commands.importer.view import Place, View, read_view
from aigonix_render.foundation import (
    DEFAULT_CLUSTER_ISSUER,
    DEFAULT_INGRESS_CLASS,
    INGRESS_NGINX,
    LEGACY_TENANT,
    names,
    replace,
)


@dataclass
class ApplicationTree:
    folder: str
    document: dict[str, Any]
    microservices: list[MicroserviceTree] = field(default_factory=list)
    storage_account: Sealed | None = None
    kafka_files: dict[str, Sealed] = field(default_factory=dict)
    """The values of the application's sealed files (written encrypted), by environment."""


@dataclass
class Draft:
    """The whole tree in memory; the customer's ``recipients`` are added when known."""

    customer: dict[str, Any]
    applications: list[ApplicationTree]
    registry: Registry | None
    lines: list[report.ReportLine]


@dataclass
class _Application:
    """One application while it is read: its environments' tenants, hosts and views."""

    objects: ApplicationObjects
    environments: list[str]
    tenants: dict[str, tuple[str, ...]]
    routes: dict[str, list[Route]]
    hosts: dict[str, TenantHosts] = field(default_factory=dict)
    views: dict[str, dict[str, View]] = field(default_factory=dict)


def build(recognised: Recognised) -> Draft:
    lines = list(recognised.report)
    apps = [_read(app, lines) for app in recognised.applications]
    alias = aliases(t for app in apps for tenants in app.tenants.values() for t in tenants)
    for app in apps:
        app.hosts = {env: tenant_hosts(app.routes[env], list(app.tenants[env])) for env in app.environments}
        lines += [line for hosts in app.hosts.values() for line in hosts.lines]
        app.views = _views(app)
    directory = _directory(apps, alias)
    _publish(apps, directory, lines)
    trees = [_application(app, alias, directory, lines) for app in apps]
    registries = [registry(app.objects.shared.get("acr")) for app in apps]
    lines += [line for _, found in registries for line in found]
    return Draft(_customer(recognised, apps), trees, _one_registry(registries, lines), lines)


def _read(objects: ApplicationObjects, lines: list[report.ReportLine]) -> _Application:
    environments = sorted({*objects.environments, *(env for env, _ in objects.microservices)})
    routes = {
        env: [read_route(r) for (e, _), ms in objects.microservices.items() if e == env for r in ms.routes]
        for env in environments
    }
    tenants = {env: _tenants(objects, env, routes[env], lines) for env in environments}
    return _Application(objects, environments, tenants, routes)


def _tenants(
    objects: ApplicationObjects, env: str, routes: list[Route], lines: list[report.ReportLine]
) -> tuple[str, ...]:
    """The keys of ``tenants.json`` in ``<env>-tenants`` (NewTenantsConfigMap); without it,
    the tenants the Ingresses name."""
    config_map = objects.environments.get(env, {}).get("tenants")
    text = (config_map.body.get("data") or {}).get("tenants.json") if config_map else None
    try:
        tenants = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        tenants = None
    if isinstance(tenants, dict) and tenants:
        return tuple(sorted(tenants))
    named = sorted({r.tenant for r in routes if r.tenant and r.tenant != LEGACY_TENANT})
    if not named:
        raise DumpError(
            f"{objects.namespace}: no customer tenants of {env} (its {names.tenants_config(env)} ConfigMap is not in the dump)"
        )
    subject = config_map.ref if config_map else f"ConfigMap/{names.tenants_config(env)}"
    lines.append(report.warning(subject, "added by the render, with the tenants the Ingresses name"))
    return tuple(named)


def _views(app: _Application) -> dict[str, dict[str, View]]:
    views: dict[str, dict[str, View]] = {}
    for (env, ms_id), objects in sorted(app.objects.microservices.items()):
        if objects.kind != SIMPLE:
            continue
        place = Place(app.objects.name, app.tenants[env], app.objects.customer_label)
        view = read_view(objects, place)
        if view is not None:
            views.setdefault(ms_id, {})[env] = view
    return views


def _directory(apps: list[_Application], alias: Mapping[str, str]) -> Directory:
    known = {
        ms_id: Known(app.objects.name, app.objects.id, objects.name)
        for app in apps
        for (_, ms_id), objects in app.objects.microservices.items()
    }
    tenants = {(app.objects.id, env): app.tenants[env] for app in apps for env in app.environments}
    views = [(ms_id, view) for app in apps for ms_id, by_env in app.views.items() for view in by_env.values()]
    directory = Directory(known, tenants, alias, consent_ids(views))
    return replace(directory, ranks=platform_order(views, directory))


def _publish(apps: list[_Application], directory: Directory, lines: list[report.ReportLine]) -> None:
    """A producer publishes the streams its consents and its consumers name."""
    views = [(ms_id, view) for app in apps for ms_id, by_env in app.views.items() for view in by_env.values()]
    for (ms_id, env), streams in sorted(published(views, directory).items()):
        view = next((v for i, v in views if i == ms_id and v.environment == env), None)
        runtime = view.document.get("runtime") if view else None
        if runtime is not None:
            runtime["publicStreams"] = sorted(streams)
        elif view is not None:
            lines.append(
                report.warning(
                    f"microservice {ms_id}", f"left out: public streams in {env} without a Runtime"
                )
            )


def _application(
    app: _Application, alias: Mapping[str, str], directory: Directory, lines: list[report.ReportLine]
) -> ApplicationTree:
    objects = app.objects
    document: dict[str, Any] = {"apiVersion": "aigonix.io/v1", "kind": "Application"}
    document |= {"name": objects.name, "id": objects.id, "environments": _environments(app, alias)}
    store = event_store(objects.environments, app.environments)
    lines += store.lines
    if store.document:
        document["eventStore"] = store.document
    groups, found = developer_groups(objects.shared.get("developers"), objects.customer_id)
    lines += found
    if groups:
        document["developers"] = {"groups": groups}
    tree = ApplicationTree(objects.name, document)
    owner = Owner(objects.id, tuple(app.environments), directory)
    deployed: list[tuple[str, str]] = []
    for ids in _by_name(app):
        by_env = {env: ms for (env, i), ms in objects.microservices.items() if i in ids}
        views = {env: view for i in ids for env, view in app.views[i].items()}
        env_ids = {env: i for i in ids for env in app.views[i]}
        tree.microservices.append(build_microservice(env_ids, by_env, views, owner))
        lines += tree.microservices[-1].lines
        deployed += [(env, tree.microservices[-1].document["name"]) for env in views]
    role = developer_role(objects.shared.get("role"), deployed)
    if role:
        document["developerRole"] = role
    lines += _other_kinds(objects.microservices)
    tree.storage_account, said = storage_account(objects.shared.get("storage"))
    tree.kafka_files, more = kafka_files(objects.kafka_files, app.environments)
    lines += said + more
    return tree


def _by_name(app: _Application) -> list[list[str]]:
    """The ids of each microservice: one name is one microservice, whatever id each
    environment gave it (the Welcome microservice has one per environment: platform-api
    v4.13.0, pkg/platform/application/service.go, ``uuid.New()`` per environment)."""
    groups: dict[str, list[str]] = {}
    for (_, ms_id), objects in sorted(app.objects.microservices.items()):
        ids = groups.setdefault(objects.name.lower(), [])
        if ms_id in app.views and ms_id not in ids:
            ids.append(ms_id)
    return [sorted(ids) for _, ids in sorted(groups.items()) if ids]


def _environments(app: _Application, alias: Mapping[str, str]) -> dict[str, Any]:
    environments = {}
    for env in app.environments:
        tenants = []
        for tenant in app.tenants[env]:
            entry: dict[str, Any] = {"id": tenant, "alias": alias[tenant]}
            hosts = app.hosts[env].hosts.get(tenant) or []
            if hosts:
                entry["hosts"] = [{"host": h} | ({"secretName": s} if s else {}) for h, s in hosts]
            tenants.append(entry)
        environments[env] = {"tenants": tenants}
    return environments


def _other_kinds(microservices: Mapping[tuple[str, str], MicroserviceObjects]) -> list[report.ReportLine]:
    """Only ``simple`` microservices are in scope (pkg/platform/doc.go lists the others)."""
    return [
        report.warning(
            f"microservice {ms.name} ({env})",
            f"left out with its objects: a microservice of kind {ms.kind}, which the tree cannot express",
        )
        for (env, _), ms in sorted(microservices.items())
        if ms.kind != SIMPLE
    ]


def _customer(recognised: Recognised, apps: list[_Application]) -> dict[str, Any]:
    """Named by its ``tenant`` label, which is what every object carries (spaces became _)."""
    environments = sorted({env for app in apps for env in app.environments})
    document: dict[str, Any] = {"apiVersion": "aigonix.io/v1", "kind": "Customer"}
    document |= {"name": recognised.customer_label, "id": recognised.customer_id}
    routes = {env: [r for app in apps for r in app.routes.get(env, [])] for env in environments}
    document["environments"] = {
        env: {
            "routes": {"kind": INGRESS_NGINX},
            "ingress": {
                "className": most_common(r.class_name for r in routes[env]) or DEFAULT_INGRESS_CLASS,
                "clusterIssuer": most_common(r.issuer for r in routes[env]) or DEFAULT_CLUSTER_ISSUER,
            },
        }
        for env in environments
    }
    return document


def _one_registry(
    found: list[tuple[Registry | None, list[report.ReportLine]]], lines: list[report.ReportLine]
) -> Registry | None:
    registries = [r for r, _ in found if r is not None]
    for other in registries[1:]:
        if other != registries[0]:
            lines.append(
                report.warning("Secret/acr", "left out: another registry than the first application's")
            )
    return registries[0] if registries else None
