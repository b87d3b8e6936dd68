"""Stage 3, the model: a valid ``Tree`` → ``Model``, the frozen values render reads.

It takes a ``Tree`` that validated and returns the customer, its applications, their
environments and each microservice as it is in each environment (overrides merged,
defaults filled in, subscriptions resolved to their producers). ``values`` holds the
frozen dataclasses, ``build`` the functions that make them. Offered: the values,
``build_model``, ``find_application``, ``find_environment``.
"""

from __future__ import annotations

from aigonix_render.model.build import (
    Application,
    ApplicationEnvironment,
    Customer,
    Environment,
    GitOps,
    Microservice,
    Model,
    Party,
    Subscription,
    Tenant,
    build_model,
    find_application,
    find_environment,
)

__all__ = [
    "Application",
    "ApplicationEnvironment",
    "Customer",
    "Environment",
    "GitOps",
    "Microservice",
    "Model",
    "Party",
    "Subscription",
    "Tenant",
    "build_model",
    "find_application",
    "find_environment",
]
