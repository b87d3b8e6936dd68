"""The Dolittle Runtime's configuration files of one microservice in one environment.

Pure data: the keys of the ``<env>-<ms>-dolittle`` ConfigMap and of ``<env>-tenants``,
as JSON text with sorted keys and two-space indentation.
"""

from __future__ import annotations

import json
from typing import Any

from aigonix_render.model import ApplicationEnvironment, Microservice, Subscription

RUNTIME_PORT = 50052
PRIVATE_PORT = 50053
MANAGEMENT_PORT = 51052
METRICS_PORT = 9700
MONGO_PORT = 27017
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
    "appsettings.json": as_json(APPSETTINGS),
    "clients.json": as_json(
        {
            "public": {"host": "localhost", "port": RUNTIME_PORT},
            "private": {"host": "localhost", "port": PRIVATE_PORT},
        }
    ),
    "endpoints.json": as_json(
        {
            "public": {"port": RUNTIME_PORT},
            "private": {"port": PRIVATE_PORT},
            "management": {"port": MANAGEMENT_PORT},
        }
    ),
    "metrics.json": as_json({"port": METRICS_PORT}),
}


def mongo_host(app_env: ApplicationEnvironment) -> str:
    return f"{app_env.environment.lower}-mongo.{app_env.application.namespace}.svc.cluster.local"


def database_prefix(microservice_id: str, tenant_id: str) -> str:
    return f"{microservice_id[:7]}_{tenant_id[:7]}".lower()


def tenants_json(app_env: ApplicationEnvironment) -> str:
    return as_json({tenant.id: {} for tenant in app_env.tenants})


def dolittle_files(
    app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> dict[str, str]:
    mine = [s for s in subscriptions if s.environment == app_env.environment.name]
    consumed = [s for s in mine if s.consumer.id == ms.id and s.consumer.application == app_env.application]
    produced = [s for s in mine if s.producer.id == ms.id and s.producer.application == app_env.application]
    return {
        **FIXED_FILES,
        "event-horizon-consents.json": as_json(_consents(produced)),
        "event-horizons.json": as_json(_horizons(consumed)),
        "microservices.json": as_json(_microservices(consumed)),
        "platform.json": as_json(_platform(app_env, ms)),
        "resources.json": as_json(_resources(app_env, ms)),
    }


def _resources(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, Any]:
    host = mongo_host(app_env)
    resources = {}
    for tenant in app_env.tenants:
        prefix = database_prefix(ms.id, tenant.id)
        resources[tenant.id] = {
            "readModels": {
                "host": f"mongodb://{host}:{MONGO_PORT}",
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
            "host": f"{s.environment.lower()}-{s.producer.lower}.{s.producer.application.namespace}.svc.cluster.local",
            "port": RUNTIME_PORT,
        }
        for s in consumed
    }
