"""The Dolittle Runtime's configuration files of one microservice in one environment.

Pure data: the keys of the ``<env>-<ms>-dolittle`` ConfigMap and of ``<env>-tenants``,
as JSON text with sorted keys and two-space indentation.
"""

from __future__ import annotations

import json
from typing import Any

from aigonix_render import names, platform
from aigonix_render.model import ApplicationEnvironment, Microservice, Party, Subscription

APPSETTINGS = {
    "Logging": {
        "IncludeScopes": False,
        "LogLevel": {"Default": "Debug", "System": "Information", "Microsoft": "Information"},
        "Console": {"IncludeScopes": True, "TimestampFormat": "[yyyy-MM-dd HH:mm:ss] "},
    }
}


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FIXED_FILES = {
    platform.APPSETTINGS_FILE: as_json(APPSETTINGS),
    "clients.json": as_json(
        {
            "public": {"host": "localhost", "port": platform.RUNTIME_PUBLIC_PORT},
            "private": {"host": "localhost", "port": platform.RUNTIME_PRIVATE_PORT},
        }
    ),
    "endpoints.json": as_json(
        {
            "public": {"port": platform.RUNTIME_PUBLIC_PORT},
            "private": {"port": platform.RUNTIME_PRIVATE_PORT},
            "management": {"port": platform.RUNTIME_MANAGEMENT_PORT},
        }
    ),
    "metrics.json": as_json({"port": platform.RUNTIME_METRICS_PORT}),
}


def tenants_json(app_env: ApplicationEnvironment) -> str:
    return as_json({tenant.id: {} for tenant in app_env.tenants})


def dolittle_files(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> dict[str, str]:
    consumed = consumed_by(app_env, ms, subscriptions)
    return {
        **FIXED_FILES,
        "event-horizon-consents.json": as_json(_consents(produced_by(app_env, ms, subscriptions))),
        "event-horizons.json": as_json(_horizons(consumed)),
        "microservices.json": as_json(_microservices(consumed)),
        "platform.json": as_json(_platform(app_env, ms)),
        "resources.json": as_json(_resources(app_env, ms)),
    }


def consumed_by(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> list[Subscription]:
    """The event horizons ``ms`` reads from producers in this application environment."""
    return [s for s in subscriptions if _is(s.consumer, app_env, ms) and _here(s, app_env)]


def produced_by(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> list[Subscription]:
    """The event horizons consumers read from ``ms`` in this application environment."""
    return [s for s in subscriptions if _is(s.producer, app_env, ms) and _here(s, app_env)]


def _is(party: Party, app_env: ApplicationEnvironment, ms: Microservice) -> bool:
    return party.id == ms.id and party.application == app_env.application


def _here(subscription: Subscription, app_env: ApplicationEnvironment) -> bool:
    return subscription.environment == app_env.environment.name


def _resources(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, Any]:
    host = names.mongo_host(app_env.environment.name, app_env.application.id)
    resources = {}
    for tenant in app_env.tenants:
        prefix = names.database_prefix(ms.id, tenant.id)
        resources[tenant.id] = {
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
        "customerName": app_env.customer.name,
        "customerID": app_env.customer.id,
        "environment": app_env.environment.name,
    }


def _consents(produced: list[Subscription]) -> dict[str, list[dict[str, str]]]:
    consents: dict[str, list[dict[str, str]]] = {}
    for subscription in produced:
        for consumer_tenant, producer_tenant in subscription.tenants:
            consents.setdefault(producer_tenant, []).append(
                {
                    "microservice": subscription.consumer.id,
                    "tenant": consumer_tenant,
                    "stream": subscription.stream,
                    "partition": subscription.partition,
                    "consent": subscription.consent(consumer_tenant, producer_tenant),
                }
            )
    return {tenant: sorted(entries, key=_entry_order) for tenant, entries in consents.items()}


def _horizons(consumed: list[Subscription]) -> dict[str, list[dict[str, str]]]:
    horizons: dict[str, list[dict[str, str]]] = {}
    for subscription in consumed:
        for consumer_tenant, producer_tenant in subscription.tenants:
            horizons.setdefault(consumer_tenant, []).append(
                {
                    "scope": subscription.scope,
                    "microservice": subscription.producer.id,
                    "tenant": producer_tenant,
                    "stream": subscription.stream,
                    "partition": subscription.partition,
                }
            )
    return {tenant: sorted(entries, key=_entry_order) for tenant, entries in horizons.items()}


def _entry_order(entry: dict[str, str]) -> tuple[str, ...]:
    return tuple(entry[k] for k in sorted(entry))


def _microservices(consumed: list[Subscription]) -> dict[str, dict[str, Any]]:
    return {
        s.producer.id: {
            "host": names.service_host(s.environment, s.producer.name, s.producer.application.id),
            "port": platform.RUNTIME_PUBLIC_PORT,
        }
        for s in consumed
    }
