"""Event horizons from both sides' Runtime files → the consumer's ``eventHorizons`` and the
producer's ``publicStreams``.

The consumer's ``event-horizons.json`` names, per consumer tenant, the producer, its tenant,
stream, partition and scope; ``microservices.json`` the producer's Service, so its
application and the environment it runs in, which may be another than the consumer's
(simple/k8s/repo.go: SubscribeToAnotherApplication, ``--producer-environment``). Tenants are
paired by alias in the tree unless the pairs say otherwise; aliases come from the tenant
ids, one alias per id across the dump, so the same tenant pairs with itself. Where the
platform's order of a list is not the sorted one, ``order`` (``importer.order``) gives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import field_path
from aigonix_render.commands.importer.view import View
from aigonix_render.foundation import names, record


@record
class Known:
    """A microservice of the dump, as an event horizon names it."""

    application: str
    application_id: str
    name: str


@record
class Directory:
    """Every microservice and application environment of the dump, and the tenant aliases."""

    microservices: Mapping[str, Known]
    tenants: Mapping[tuple[str, str], tuple[str, ...]]
    aliases: Mapping[str, str]
    consents: Mapping[ConsentKey, str] = field(default_factory=dict)
    """The producers' consent ids, by (environment, producer, consumer, consumer tenant,
    stream, partition)."""
    ranks: Mapping[Event, int] = field(default_factory=dict)
    """The place of a subscription in the platform's order, where the tree states it."""

    def source_environment(self, view: View, producer_id: str) -> str:
        """The environment the producer runs in: the one its Service in the consumer's
        ``microservices.json`` is named for, else the consumer's."""
        service, application_id = view.runtime_files.producers.get(producer_id, ("", ""))
        known = self.microservices.get(producer_id)
        if known is None or known.application_id != application_id:
            return view.environment
        named = (
            e for app, e in self.tenants if app == application_id and names.workload(e, known.name) == service
        )
        return next(named, view.environment)


ConsentKey = tuple[str, str, str, str, str, str]
Event = tuple[str, str, str, str, str, str, str, str, str]
"""One tenant's subscription: (consumer environment, consumer, consumer tenant, producer
environment, producer, producer tenant, stream, partition, scope)."""


def consent_ids(views: Iterable[tuple[str, View]]) -> dict[ConsentKey, str]:
    """Every consent id of the producers' ``event-horizon-consents.json``. ``views``:
    (microservice id, view)."""
    found: dict[ConsentKey, str] = {}
    for ms_id, view in views:
        for entries in view.runtime_files.consents.values():
            for e in entries:
                key = (view.environment, ms_id, e["microservice"], e["tenant"], e["stream"], e["partition"])
                found[key] = e["consent"]
    return found


def aliases(tenant_ids: Iterable[str]) -> dict[str, str]:
    """``tenant-<id[0:7]>`` like the Ingress names; the whole id where two ids share it.
    The platform kept aliases outside Kubernetes, so they are made up, the same every time."""
    ids = sorted(set(tenant_ids))
    short = [i[:7].lower() for i in ids]
    return {i: f"tenant-{s if short.count(s) == 1 else i.lower()}" for i, s in zip(ids, short, strict=True)}


def published(views: Iterable[tuple[str, View]], directory: Directory) -> dict[tuple[str, str], set[str]]:
    """The streams each producer publishes per environment, from its consents and from the
    consumers reading it. ``views``: (microservice id, view)."""
    streams: dict[tuple[str, str], set[str]] = {}
    for ms_id, view in views:
        for entries in view.runtime_files.consents.values():
            streams.setdefault((ms_id, view.environment), set()).update(e["stream"] for e in entries)
        for entries in view.runtime_files.horizons.values():
            for e in entries:
                where = directory.source_environment(view, e["microservice"])
                streams.setdefault((e["microservice"], where), set()).add(e["stream"])
    return streams


def subscriptions(
    view: View, consumer: tuple[str, str], directory: Directory, subject: str
) -> tuple[list[dict[str, Any]], list[report.ReportLine]]:
    """The tree's event horizon entries of one consumer (application id, microservice id)
    in one environment, each with the consent ids its producer drew and, where the
    platform's order is not the sorted one, the place of each tenant's subscription in it."""
    application_id, consumer_id = consumer
    pairs: dict[tuple[str, str, str, str], set[tuple[str, str]]] = {}
    for consumer_tenant, entries in view.runtime_files.horizons.items():
        for e in entries:
            key = (e["microservice"], e["stream"], e["partition"], e["scope"])
            pairs.setdefault(key, set()).add((consumer_tenant, e["tenant"]))
    found, lines = [], []
    consumer_tenants = directory.tenants.get((application_id, view.environment), ())
    for (producer_id, stream, partition, scope), tenant_pairs in sorted(pairs.items()):
        producer = directory.microservices.get(producer_id)
        if producer is None:
            message = (
                f"left out: the producer {producer_id} is not in the dump; import its application with it"
            )
            lines.append(report.warning(subject, message, field_path("data", "event-horizons.json")))
            continue
        source = directory.source_environment(view, producer_id)
        entry: dict[str, Any] = {
            "producer": {"application": producer.application, "microservice": producer.name},
            "stream": stream,
            "partition": partition,
            "scope": scope,
        }
        if source != view.environment:
            entry["producer"]["environment"] = source
        producer_tenants = directory.tenants.get((producer.application_id, source), ())
        explicit = _explicit(tenant_pairs, consumer_tenants, producer_tenants, directory.aliases)
        if explicit is not None:
            entry["tenants"] = explicit
        ids = {
            directory.aliases.get(c, c): directory.consents[found_key]
            for c, _ in sorted(tenant_pairs)
            if (found_key := (source, producer_id, consumer_id, c, stream, partition)) in directory.consents
        }
        if ids:
            entry["consents"] = {view.environment: ids}
        ranks = {
            directory.aliases.get(c, c): directory.ranks[event]
            for c, p in sorted(tenant_pairs)
            if (event := (view.environment, consumer_id, c, source, producer_id, p, stream, partition, scope))
            in directory.ranks
        }
        if ranks:
            entry["order"] = {view.environment: ranks}
        found.append(entry)
    return found, lines


def _explicit(
    pairs: set[tuple[str, str]],
    consumers: tuple[str, ...],
    producers: tuple[str, ...],
    aliases: Mapping[str, str],
) -> list[dict[str, str]] | None:
    """None when pairing by alias gives exactly these pairs, else the pairs to write."""
    by_alias = {(c, c) for c in consumers if c in producers}
    if pairs == by_alias:
        return None
    return [{"consumer": aliases.get(c, c), "producer": aliases.get(p, p)} for c, p in sorted(pairs)]
