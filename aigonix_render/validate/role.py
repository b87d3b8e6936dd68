"""The rules of ``developerRole``: the platform's order of the Role ``developer``'s rules.

Each entry ``<Env>/<microservice>`` names a microservice of the application deployed to
that environment, once across ``order`` and ``without``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from aigonix_render.foundation import Problem
from aigonix_render.load import ApplicationFolder, PathPart, Tree, deployed_environments
from aigonix_render.validate.skipped import unvalidated_microservices


def check(tree: Tree, valid: set[str], environments: Collection[str]) -> Iterator[Problem]:
    for app in tree.applications:
        if app.document.path in valid and app.document.data.get("developerRole"):
            yield from _role(app, valid, environments)


def _role(app: ApplicationFolder, valid: set[str], environments: Collection[str]) -> Iterator[Problem]:
    document = app.document
    deployed = {
        f"{env.lower()}/{ms.document.data['name'].lower()}"
        for ms in app.microservices
        if ms.document.path in valid
        for env in deployed_environments(document.data, ms.document.data, environments)
    }
    unchecked = unvalidated_microservices(app, valid)
    seen: dict[str, str] = {}
    for field in ("order", "without"):
        for index, entry in enumerate(document.data["developerRole"].get(field, [])):
            key = entry.lower()
            path: list[PathPart] = ["developerRole", field, index]
            if key.partition("/")[2] in unchecked:
                continue  # its manifest's own errors say what is wrong
            if key not in deployed:
                message = f"{entry!r} names no microservice of this application deployed to that environment"
                yield document.problem(path, message)
            elif key in seen:
                yield document.problem(path, f"{entry!r} is already in developerRole.{seen[key]}")
            seen.setdefault(key, field)
