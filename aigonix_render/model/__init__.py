"""Stage 3, the model: a valid ``Tree`` → ``Model``, the frozen values render reads.

It takes a ``Tree`` that validated and returns the customer, its applications, their
environments and each microservice as it is in each environment (overrides merged,
defaults filled in, subscriptions resolved to their producers). ``values`` holds the
records (``foundation.record``), ``build`` the functions that make the customer, applications,
environments and subscriptions, ``microservice`` the one that makes a microservice as it
is in one environment, ``routes`` the routes of a public microservice (``route_values``
their values), and ``lookup`` finds an application or environment by name. Offered: the
values, ``build_model``, ``find_application``, ``find_environment``, ``Route`` and
``public_routes``.
"""

from __future__ import annotations

from aigonix_render.model.build import build_model
from aigonix_render.model.lookup import find_application, find_environment
from aigonix_render.model.route_values import Host, Route
from aigonix_render.model.routes import public_routes
from aigonix_render.model.values import (
    Application,
    ApplicationEnvironment,
    Customer,
    Environment,
    EventStore,
    Gateway,
    GitOps,
    LegacyDatabases,
    Microservice,
    Model,
    Party,
    Probe,
    Resources,
    Runtime,
    Subscription,
    Tenant,
)

__all__ = [
    "Application",
    "ApplicationEnvironment",
    "Customer",
    "Environment",
    "EventStore",
    "Gateway",
    "GitOps",
    "Host",
    "LegacyDatabases",
    "Microservice",
    "Model",
    "Party",
    "Probe",
    "Resources",
    "Route",
    "Runtime",
    "Subscription",
    "Tenant",
    "build_model",
    "find_application",
    "find_environment",
    "public_routes",
]
