"""The rules of event horizons: who may subscribe to what, checked where it is declared.

A consumer's ``eventHorizons`` entry must name a producer of the same customer (this tree)
that runs the Runtime, is deployed to every environment the consumer is, and lists the
stream in its ``publicStreams``; every consumer tenant needs a producer tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aigonix_render.foundation import Problem
from aigonix_render.load import (
    ApplicationFolder,
    Document,
    MicroserviceFolder,
    PathPart,
    deployed_environments,
    merged_document,
    tenant_pairs,
)


@dataclass(frozen=True)
class _Producer:
    app: ApplicationFolder
    ms: MicroserviceFolder

    @property
    def label(self) -> str:
        return f"{self.app.document.data['name']}/{self.ms.document.data['name']}"


@dataclass(frozen=True)
class _Entry:
    """One ``eventHorizons`` entry of a consumer, with where it is declared."""

    app: ApplicationFolder
    document: Document
    path: list[PathPart]
    data: dict[str, Any]

    def problem(self, below: list[PathPart], message: str, at_key: bool = False) -> Problem:
        return self.document.problem([*self.path, *below], message, at_key=at_key)


@dataclass(frozen=True)
class _TenantRef:
    id: str
    alias: str


def check(apps: list[ApplicationFolder], valid: set[str], declared: set[str]) -> Iterator[Problem]:
    """``declared``: the customer's environments."""
    for app in apps:
        for ms in app.microservices:
            if ms.document.path in valid and ms.document.data.get("eventHorizons"):
                yield from _consumer(apps, valid, declared, app, ms)


def _deployed(app: ApplicationFolder, ms: MicroserviceFolder, declared: set[str]) -> list[str]:
    return deployed_environments(app.document.data, ms.document.data, declared)


def _consumer(
    apps: list[ApplicationFolder],
    valid: set[str],
    declared: set[str],
    app: ApplicationFolder,
    ms: MicroserviceFolder,
) -> Iterator[Problem]:
    document = ms.document
    environments = _deployed(app, ms, declared)
    without = [e for e in environments if not merged_document(document.data, e).get("runtime")]
    if without:
        message = (
            f"event horizons need the Runtime, which this microservice does not run in {', '.join(without)}"
        )
        yield document.problem(["eventHorizons"], message, at_key=True)
    seen: dict[tuple[str, ...], int] = {}
    for index, entry in enumerate(document.data["eventHorizons"]):
        path: list[PathPart] = ["eventHorizons", index]
        identity = _identity(entry)
        if identity in seen:
            first = document.position(["eventHorizons", seen[identity]])[0]
            yield document.problem(path, f"the same subscription is already declared at line {first}")
            continue
        seen[identity] = index
        producer = _find(apps, valid, document, path, entry)
        if isinstance(producer, Problem):
            yield producer
            continue
        declaration = _Entry(app, document, path, entry)
        for env_name in environments:
            yield from _in_environment(declaration, producer, env_name, declared)
        yield from _consents(declaration, producer, environments)


def _identity(entry: dict[str, Any]) -> tuple[str, ...]:
    producer = entry["producer"]
    return (
        producer["application"].lower(),
        producer["microservice"].lower(),
        entry["stream"].lower(),
        entry["partition"].lower(),
        entry["scope"].lower(),
    )


def _find(
    apps: list[ApplicationFolder],
    valid: set[str],
    document: Document,
    path: list[PathPart],
    entry: dict[str, Any],
) -> _Producer | Problem:
    wanted = entry["producer"]
    app = next((a for a in apps if a.document.data["name"] == wanted["application"]), None)
    if app is None:
        names = ", ".join(sorted(a.document.data["name"] for a in apps))
        return document.problem(
            [*path, "producer", "application"],
            f"no application {wanted['application']!r} in this customer ({names}); event horizons stay within one customer",
        )
    name = wanted["microservice"].lower()
    ms = next(
        (
            m
            for m in app.microservices
            if m.document.path in valid and m.document.data["name"].lower() == name
        ),
        None,
    )
    if ms is None:
        return document.problem(
            [*path, "producer", "microservice"],
            f"no microservice {wanted['microservice']!r} in the application {wanted['application']!r}",
        )
    return _Producer(app, ms)


def _in_environment(
    entry: _Entry, producer: _Producer, env_name: str, declared: set[str]
) -> Iterator[Problem]:
    if env_name not in _deployed(producer.app, producer.ms, declared):
        yield entry.problem(["producer"], f"the producer {producer.label} is not deployed to {env_name}")
        return
    runtime = merged_document(producer.ms.document.data, env_name).get("runtime")
    if not runtime:
        yield entry.problem(
            ["producer"], f"the producer {producer.label} does not run the Runtime in {env_name}"
        )
        return
    if entry.data["stream"].lower() not in [s.lower() for s in runtime.get("publicStreams") or []]:
        message = f"{producer.label} does not list the stream {entry.data['stream']} in its publicStreams"
        yield entry.problem(["stream"], message)
    yield from _tenants(entry, producer, env_name)


def _tenants(entry: _Entry, producer: _Producer, env_name: str) -> Iterator[Problem]:
    consumers = _tenants_of(entry.app, env_name)
    producers = _tenants_of(producer.app, env_name)
    explicit = entry.data.get("tenants")
    known = {t.alias.lower() for t in consumers}
    for index, mapping in enumerate(explicit or []):
        if mapping["consumer"].lower() not in known:
            message = f"this application has no tenant {mapping['consumer']!r} in {env_name}"
            yield entry.problem(["tenants", index, "consumer"], message)
    for consumer, partner in tenant_pairs(consumers, producers, explicit):
        if partner is None:
            where: list[PathPart] = ["tenants"] if explicit else ["producer"]
            message = f"in {env_name} the tenant {consumer.alias!r} has no counterpart in {producer.label}; map it under tenants"
            yield entry.problem(where, message, at_key=bool(explicit))


def _consents(entry: _Entry, producer: _Producer, environments: list[str]) -> Iterator[Problem]:
    """Each stated consent id belongs to an environment the consumer is deployed to and to a
    consumer tenant that reads from the producer there."""
    for env_name, ids in (entry.data.get("consents") or {}).items():
        if env_name not in environments:
            deployed = ", ".join(environments) or "none"
            message = f"this microservice is not deployed to {env_name} (deployed to: {deployed})"
            yield entry.problem(["consents", env_name], message, at_key=True)
            continue
        if env_name not in producer.app.document.data["environments"]:
            continue  # the producer is not deployed there: reported above
        pairs = tenant_pairs(
            _tenants_of(entry.app, env_name), _tenants_of(producer.app, env_name), entry.data.get("tenants")
        )
        reading = {c.alias.lower() for c, p in pairs if p is not None}
        for alias in ids:
            if alias.lower() not in reading:
                message = f"in {env_name} no tenant {alias!r} of this application reads from {producer.label}"
                yield entry.problem(["consents", env_name, alias], message, at_key=True)


def _tenants_of(app: ApplicationFolder, env_name: str) -> tuple[_TenantRef, ...]:
    tenants = app.document.data["environments"][env_name]["tenants"]
    return tuple(_TenantRef(t["id"], t["alias"]) for t in tenants)
