"""The Dolittle Runtime's configuration files of one microservice in one environment.

Pure data: the keys of the ``<env>-<ms>-dolittle`` ConfigMap and of ``<env>-tenants``,
as the platform wrote them with Go's ``json.MarshalIndent(v, "", "  ")``: fields in the
order of its structs (the order written here), map keys sorted, no trailing newline. The
same bytes mean no diff and no churn when GitOps adopts the platform's ConfigMaps.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aigonix_render.foundation import names, platform
from aigonix_render.model import ApplicationEnvironment, Microservice, Party, Subscription

# Go's encoding/json escapes these even in indented output (HTML safety).
_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)

APPSETTINGS = {
    "Logging": {
        "IncludeScopes": False,
        "LogLevel": {"Default": "Debug", "System": "Information", "Microsoft": "Information"},
        "Console": {"IncludeScopes": True, "TimestampFormat": "[yyyy-MM-dd HH:mm:ss] "},
    }
}


def as_json(value: Any) -> str:
    """``json.MarshalIndent(value, "", "  ")``: dicts keep their order (sort Go's maps first)."""
    return _indented(value, "\n").translate(_GO_ESCAPES)


def _indented(value: Any, newline: str) -> str:
    """What ``json.dumps(value, indent=2)`` writes, with the C encoder for the scalars: the
    indenting encoder is pure Python and leaves a cycle of closures per call (some 500,000
    objects for the collector at N=1000)."""
    inner = newline + "  "
    if isinstance(value, dict):
        items = [f"{_key(k)}: {_indented(v, inner)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + newline + "}" if items else "{}"
    if isinstance(value, list | tuple):
        entries = [_indented(v, inner) for v in value]
        return "[" + inner + ("," + inner).join(entries) + newline + "]" if entries else "[]"
    return _scalar(value)


_scalar = json.JSONEncoder(ensure_ascii=False).encode


def _key(key: object) -> str:
    """Go's maps here have string keys; anything else is a mistake in this module."""
    if not isinstance(key, str):
        raise TypeError(f"a JSON object key must be a string, not {type(key).__name__}")
    return _scalar(key)


def _sorted(mapping: dict[str, Any]) -> dict[str, Any]:
    """A Go map: encoding/json writes its keys sorted."""
    return dict(sorted(mapping.items()))


def tenants_json(app_env: ApplicationEnvironment) -> str:
    return as_json(_sorted({tenant.id: {} for tenant in app_env.tenants}))


def dolittle_files(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> dict[str, str]:
    """Every microservice's, with or without the Runtime (pkg/dolittle/k8s/configmaps.go:
    NewMicroserviceConfigmap); the platform wrote no ``clients.json`` key."""
    shape = _shape(ms)
    consumed = consumed_by(app_env, ms, subscriptions)
    return {
        **_fixed_files(shape),
        "event-horizon-consents.json": as_json(_consents(produced_by(app_env, ms, subscriptions))),
        "event-horizons.json": as_json(_horizons(consumed)),
        "microservices.json": as_json(_microservices(consumed)),
        "platform.json": as_json(_platform(app_env, ms)),
        "resources.json": as_json(_resources(app_env, ms)),
    }


def _shape(ms: Microservice) -> platform.RuntimeShape:
    """The Runtime's version's files, or what the tree states instead; without a Runtime the
    default (the platform wrote the files for every microservice)."""
    runtime = ms.runtime
    if runtime is None:
        return platform.RuntimeShape()
    return platform.chosen_shape(runtime.image, runtime.backwards_compatibility, runtime.management_endpoint)


@cache
def _fixed_files(shape: platform.RuntimeShape) -> dict[str, str]:
    """The files that depend on the Runtime's shape alone (its version's, or the tree's
    backwards compatibility and endpoints): the same text for thousands of microservices,
    encoded once."""
    return {
        platform.APPSETTINGS_FILE: as_json(_appsettings(shape)),
        "endpoints.json": as_json(_endpoints(shape)),
        "metrics.json": as_json({"port": platform.RUNTIME_METRICS_PORT}),
    }


def _endpoints(shape: platform.RuntimeShape) -> dict[str, Any]:
    endpoints = {
        "public": {"port": platform.RUNTIME_PUBLIC_PORT},
        "private": {"port": platform.RUNTIME_PRIVATE_PORT},
    }
    if shape.management:
        endpoints["management"] = {"port": platform.RUNTIME_MANAGEMENT_PORT}
    return endpoints


def _appsettings(shape: platform.RuntimeShape) -> dict[str, Any]:
    """``configmaps.go: AppsettingsV8_0_0`` embeds the logging settings, then adds the event
    store's version under all-lower-case keys."""
    if shape.backwards_compatibility is None:
        return APPSETTINGS
    version = {"backwardscompatibility": {"version": shape.backwards_compatibility}}
    return {**APPSETTINGS, "dolittle": {"runtime": {"eventstore": version}}}


def touching(
    subscriptions: tuple[Subscription, ...], app_env: ApplicationEnvironment
) -> tuple[Subscription, ...]:
    """The event horizons with a side in this application environment, the consumer's or the
    producer's (the two may run in different environments): what ``consumed_by`` and
    ``produced_by`` look through for each of its microservices."""
    return tuple(
        s
        for s in subscriptions
        if _here(s.consumer, s.environment, app_env) or _here(s.producer, s.producer_environment, app_env)
    )


def consumed_by(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> list[Subscription]:
    """The event horizons ``ms`` reads in this application environment, from producers here
    or in another environment."""
    return [s for s in subscriptions if _is(s.consumer, ms) and _here(s.consumer, s.environment, app_env)]


def produced_by(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> list[Subscription]:
    """The event horizons consumers, here or in another environment, read from ``ms`` in this
    application environment."""
    return [
        s for s in subscriptions if _is(s.producer, ms) and _here(s.producer, s.producer_environment, app_env)
    ]


def _is(party: Party, ms: Microservice) -> bool:
    return party.id == ms.id


def _here(party: Party, environment: str, app_env: ApplicationEnvironment) -> bool:
    """Whether ``party``, running in ``environment``, is in this application environment."""
    return environment == app_env.environment.name and party.application == app_env.application


def _databases(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, str]:
    """The database prefix of each tenant the Runtime knows: every customer tenant's, or the
    one tenant and prefix of a Runtime made before platform-api v2.8.0."""
    legacy = ms.runtime.legacy if ms.runtime else None
    if legacy is not None:
        return {legacy.tenant: legacy.prefix}
    return {tenant.id: names.database_prefix(ms.id, tenant.id) for tenant in app_env.tenants}


def _resources(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, Any]:
    host = names.mongo_host(app_env.environment.name, app_env.application.id)
    resources = {}
    for tenant, prefix in sorted(_databases(app_env, ms).items()):
        resources[tenant] = {
            "readModels": {
                "host": f"mongodb://{host}:{platform.MONGO_PORT}",
                "database": f"{prefix}_readmodels",
                "useSSL": False,
            },
            "eventStore": {"servers": [host], "database": f"{prefix}_eventstore"},
            "projections": {"servers": [host], "database": f"{prefix}_projections"},
            "embeddings": {"servers": [host], "database": f"{prefix}_embeddings"},
        }
    return resources


def _platform(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, str]:
    return {
        "applicationName": app_env.application.name,
        "applicationID": app_env.application.id,
        "microserviceName": ms.name,
        "microserviceID": ms.id,
        # the tree's (platformJson), else the namespace's label, where the API read the customer
        # from (k8s_repo.go: GetApplication); the Welcome got the Studio name (application/k8s.go)
        "customerName": ms.customer_name or app_env.customer.label,
        "customerID": app_env.customer.id,
        "environment": app_env.environment.name,
    }


def _consents(produced: list[Subscription]) -> dict[str, list[dict[str, str]]]:
    consents: dict[str, list[_Ranked]] = {}
    for subscription in produced:
        for consumer_tenant, producer_tenant in subscription.tenants:
            entry = {
                "microservice": subscription.consumer.id,
                "tenant": consumer_tenant,
                "stream": subscription.stream,
                "partition": subscription.partition,
                "consent": subscription.consent(consumer_tenant, producer_tenant),
            }
            consents.setdefault(producer_tenant, []).append((subscription.rank(consumer_tenant), entry))
    return _sorted({tenant: _in_order(entries) for tenant, entries in consents.items()})


def _horizons(consumed: list[Subscription]) -> dict[str, list[dict[str, str]]]:
    horizons: dict[str, list[_Ranked]] = {}
    for subscription in consumed:
        for consumer_tenant, producer_tenant in subscription.tenants:
            entry = {
                "scope": subscription.scope,
                "microservice": subscription.producer.id,
                "tenant": producer_tenant,
                "stream": subscription.stream,
                "partition": subscription.partition,
            }
            horizons.setdefault(consumer_tenant, []).append((subscription.rank(consumer_tenant), entry))
    return _sorted({tenant: _in_order(entries) for tenant, entries in horizons.items()})


# An entry of a list the platform appended to, with its place in the platform's order, if stated.
_Ranked = tuple[int | None, dict[str, str]]


def _in_order(entries: list[_Ranked]) -> list[dict[str, str]]:
    """The platform appended each subscription (simple/k8s/repo.go: SubscribeToAnotherApplication):
    the entries the tree ranks (``order``) first, by rank, then the others sorted."""
    ranked = sorted(entries, key=lambda r: (r[0] is None, r[0] or 0, _entry_order(r[1])))
    return [entry for _, entry in ranked]


def _entry_order(entry: dict[str, str]) -> tuple[str, ...]:
    return tuple(entry[k] for k in sorted(entry))


def _microservices(consumed: list[Subscription]) -> dict[str, dict[str, Any]]:
    return _sorted(
        {
            s.producer.id: {
                # the producer's Service in its environment (SubscribeToAnotherApplication)
                "host": names.service_host(
                    s.producer_environment, s.producer.name, s.producer.application.id
                ),
                "port": platform.RUNTIME_PUBLIC_PORT,
            }
            for s in consumed
        }
    )
