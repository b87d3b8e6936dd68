"""The rules of event horizons: who may subscribe to what, checked where it is declared.

A consumer's ``eventHorizons`` entry must name a producer of the same customer (this tree)
that runs the Runtime, is deployed to every environment the consumer is (or to the
environment ``producer.environment`` names), and lists the stream in its ``publicStreams``;
every consumer tenant needs a producer tenant. In one environment a consumer reads each
producer microservice from one environment only: ``microservices.json`` has one address per
producer id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aigonix_render.foundation import Problem, record
from aigonix_render.load import (
    ApplicationFolder,
    Document,
    MicroserviceFolder,
    PathPart,
    deployed_environments,
    merged_document,
    tenant_pairs,
)
from aigonix_render.validate.skipped import unvalidated_microservices


@record
class _Producer:
    app: ApplicationFolder
    ms: MicroserviceFolder

    @property
    def label(self) -> str:
        return f"{self.app.document.data['name']}/{self.ms.document.data['name']}"


@record
class _Entry:
    """One ``eventHorizons`` entry of a consumer, with where it is declared."""

    app: ApplicationFolder
    document: Document
    path: list[PathPart]
    data: dict[str, Any]

    def problem(self, below: list[PathPart], message: str, at_key: bool = False) -> Problem:
        return self.document.problem([*self.path, *below], message, at_key=at_key)


@record
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
        if producer is None:
            continue  # the producer's manifest did not pass the schema: its errors are there
        declaration = _Entry(app, document, path, entry)
        stated = entry["producer"].get("environment")
        if stated is not None and stated not in declared:
            listed = ", ".join(sorted(declared))
            message = f"environment {stated!r} is not declared in the customer's aigonix.yaml ({listed})"
            yield declaration.problem(["producer", "environment"], message)
            continue
        for env_name in environments:
            yield from _in_environment(declaration, producer, _Sides(env_name, stated or env_name), declared)
        yield from _stated(declaration, producer, environments)
    yield from _one_address(apps, valid, declared, document, environments)


@record
class _Sides:
    """The consumer's environment and the producer's."""

    consumer: str
    producer: str

    def of(self, label: str) -> str:
        """The producer's label, with its environment where it is not the consumer's."""
        return label if self.producer == self.consumer else f"{label} in {self.producer}"


def _identity(entry: dict[str, Any]) -> tuple[str, ...]:
    producer = entry["producer"]
    return (
        producer["application"].lower(),
        producer["microservice"].lower(),
        producer.get("environment", ""),
        entry["stream"].lower(),
        _partition(entry["partition"]),
        entry["scope"].lower(),
    )


def _partition(partition: str) -> str:
    """A GUID in any case is one partition; other partitions are strings, compared as they
    are (the Runtime's PartitionId)."""
    return partition.lower() if _GUID.fullmatch(partition) else partition


_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _find(
    apps: list[ApplicationFolder],
    valid: set[str],
    document: Document,
    path: list[PathPart],
    entry: dict[str, Any],
) -> _Producer | Problem | None:
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
    if ms is None and name in unvalidated_microservices(app, valid):
        return None
    if ms is None:
        return document.problem(
            [*path, "producer", "microservice"],
            f"no microservice {wanted['microservice']!r} in the application {wanted['application']!r}",
        )
    return _Producer(app, ms)


def _in_environment(
    entry: _Entry, producer: _Producer, sides: _Sides, declared: set[str]
) -> Iterator[Problem]:
    where: list[PathPart] = (
        ["producer", "environment"] if "environment" in entry.data["producer"] else ["producer"]
    )
    if sides.producer not in _deployed(producer.app, producer.ms, declared):
        yield entry.problem(where, f"the producer {producer.label} is not deployed to {sides.producer}")
        return
    runtime = merged_document(producer.ms.document.data, sides.producer).get("runtime")
    if not runtime:
        message = f"the producer {producer.label} does not run the Runtime in {sides.producer}"
        yield entry.problem(where, message)
        return
    if entry.data["stream"].lower() not in [s.lower() for s in runtime.get("publicStreams") or []]:
        label = sides.of(producer.label)
        yield entry.problem(
            ["stream"], f"{label} does not list the stream {entry.data['stream']} in its publicStreams"
        )
    yield from _tenants(entry, producer, sides)


def _tenants(entry: _Entry, producer: _Producer, sides: _Sides) -> Iterator[Problem]:
    consumers = _tenants_of(entry.app, sides.consumer)
    producers = _tenants_of(producer.app, sides.producer)
    explicit = entry.data.get("tenants")
    known = {t.alias.lower() for t in consumers}
    for index, mapping in enumerate(explicit or []):
        if mapping["consumer"].lower() not in known:
            message = f"this application has no tenant {mapping['consumer']!r} in {sides.consumer}"
            yield entry.problem(["tenants", index, "consumer"], message)
    for consumer, partner in tenant_pairs(consumers, producers, explicit):
        if partner is None:
            where: list[PathPart] = ["tenants"] if explicit else ["producer"]
            message = f"in {sides.consumer} the tenant {consumer.alias!r} has no counterpart in {sides.of(producer.label)}; map it under tenants"
            yield entry.problem(where, message, at_key=bool(explicit))


def _stated(entry: _Entry, producer: _Producer, environments: list[str]) -> Iterator[Problem]:
    """Each stated consent id and place in the platform's order belongs to an environment the
    consumer is deployed to and to a consumer tenant that reads from the producer there."""
    for key in ("consents", "order"):
        for env_name, ids in (entry.data.get(key) or {}).items():
            if env_name not in environments:
                deployed = ", ".join(environments) or "none"
                message = f"this microservice is not deployed to {env_name} (deployed to: {deployed})"
                yield entry.problem([key, env_name], message, at_key=True)
                continue
            sides = _Sides(env_name, entry.data["producer"].get("environment", env_name))
            if sides.producer not in producer.app.document.data["environments"]:
                continue  # the producer is not deployed there: reported above
            pairs = tenant_pairs(
                _tenants_of(entry.app, sides.consumer),
                _tenants_of(producer.app, sides.producer),
                entry.data.get("tenants"),
            )
            reading = {c.alias.lower() for c, p in pairs if p is not None}
            for alias in ids:
                if alias.lower() not in reading:
                    message = f"in {env_name} no tenant {alias!r} of this application reads from {sides.of(producer.label)}"
                    yield entry.problem([key, env_name, alias], message, at_key=True)


def _one_address(
    apps: list[ApplicationFolder],
    valid: set[str],
    declared: set[str],
    document: Document,
    environments: list[str],
) -> Iterator[Problem]:
    """In each of its environments the consumer reads a producer microservice (its id there)
    from one environment: microservices.json gives each producer id one address
    (SubscribeToAnotherApplication overwrote it)."""
    for env_name in environments:
        first: dict[tuple[str, str], tuple[str, int]] = {}
        for index, entry in enumerate(document.data["eventHorizons"]):
            producer = _find(apps, valid, document, ["eventHorizons", index], entry)
            source = entry["producer"].get("environment", env_name)
            if not isinstance(producer, _Producer) or source not in _deployed(
                producer.app, producer.ms, declared
            ):
                continue  # reported by _find or _in_environment
            key = (
                producer.app.document.data["name"],
                merged_document(producer.ms.document.data, source)["id"].lower(),
            )
            seen = first.setdefault(key, (source, index))
            if seen[0] != source:
                line = document.position(["eventHorizons", seen[1]])[0]
                message = (
                    f"in {env_name} this microservice already reads {producer.label} from {seen[0]} (line {line});"
                    " microservices.json has one address per producer"
                )
                yield document.problem(["eventHorizons", index, "producer"], message)


def _tenants_of(app: ApplicationFolder, env_name: str) -> tuple[_TenantRef, ...]:
    tenants = app.document.data["environments"][env_name]["tenants"]
    return tuple(_TenantRef(t["id"], t["alias"]) for t in tenants)
