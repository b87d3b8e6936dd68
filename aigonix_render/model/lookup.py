"""Finding an application, or one of its environments, in a built ``Model`` by name."""

from __future__ import annotations

from aigonix_render.model.values import Application, ApplicationEnvironment, Model


def find_application(model: Model, name: str) -> Application | None:
    return next((a for a in model.applications if a.name == name), None)


def find_environment(model: Model, application: Application, name: str) -> ApplicationEnvironment | None:
    """An application's environment by name; names are case-sensitive (``prod`` is not ``Prod``)."""
    return next(
        (e for e in model.environments if e.application == application and e.environment.name == name),
        None,
    )
