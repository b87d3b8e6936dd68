"""``show``: the effective configuration of one microservice in one environment."""

from __future__ import annotations

from typing import Any

from aigonix_render.errors import UsageError
from aigonix_render.model import Model


def effective_configuration(model: Model, microservice: str, environment: str) -> dict[str, Any]:
    """Names only for secrets: their values are never shown."""
    for app_env in model.environments:
        if app_env.environment.name.lower() != environment.lower():
            continue
        for ms in app_env.microservices:
            if microservice.lower() in (ms.lower, f"{app_env.application.name}/{ms.lower}"):
                return {
                    "application": app_env.application.name,
                    "environment": app_env.environment.name,
                    "microservice": ms.name,
                    "id": ms.id,
                    "image": ms.image,
                    "port": ms.port,
                    "replicas": ms.replicas,
                    "public": ms.ingress_path is not None,
                    "ingressPath": ms.ingress_path,
                    "resources": {kind: dict(values) for kind, values in ms.resources},
                    "env": dict(ms.env),
                    "files": [f.name for f in ms.files],
                    "secrets": list(ms.secrets),
                }
    raise UsageError(f"no microservice {microservice!r} is deployed to an environment {environment!r}")
