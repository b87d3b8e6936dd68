"""``show``: the effective configuration of one microservice in one environment."""

from __future__ import annotations

from typing import Any

from aigonix_render.foundation import UsageError, platform
from aigonix_render.model import Microservice, Model


def effective_configuration(model: Model, microservice: str, environment: str) -> dict[str, Any]:
    """Names only for secrets: their values are never shown. Environment names are
    case-sensitive (``Dev`` and ``dev`` are two names): an unknown one is refused with the
    names the tree has."""
    _check_environment(model, environment)
    for app_env in model.environments:
        if app_env.environment.name != environment:
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
                    "runtime": _runtime(ms),
                }
    raise UsageError(f"no microservice {microservice!r} is deployed to an environment {environment!r}")


def _check_environment(model: Model, environment: str) -> None:
    known = sorted({e.environment.name for e in model.environments})
    if environment not in known:
        names = ", ".join(known) or "none"
        raise UsageError(f"no environment {environment!r} in this tree (names are case-sensitive): {names}")


def _runtime(ms: Microservice) -> dict[str, Any] | None:
    """The Runtime's own image and resources, what its files say about its version (the
    tree's settings over the image's defaults), and the legacy databases it keeps."""
    if ms.runtime is None:
        return None
    runtime = ms.runtime
    shape = platform.chosen_shape(runtime.image, runtime.backwards_compatibility, runtime.management_endpoint)
    shown: dict[str, Any] = {
        "image": runtime.image,
        "resources": {kind: dict(values) for kind, values in runtime.resources},
        "backwardsCompatibility": platform.tree_backwards_compatibility(shape),
        "managementEndpoint": shape.management,
    }
    legacy = ms.runtime.legacy
    if legacy is not None:
        shown["legacyDatabases"] = {"tenant": legacy.tenant, "prefix": legacy.prefix}
    return shown
