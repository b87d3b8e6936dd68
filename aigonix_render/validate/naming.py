"""The platform's rules about names and where things are: every Kubernetes name and label
value the render derives from a name, names and hosts used once, environments known.

Each check yields problems at the input node a name comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aigonix_render.foundation import Problem, names
from aigonix_render.load import ApplicationFolder, Document, MicroserviceFolder, PathPart
from aigonix_render.validate.claims import HOST, claim, host_places

STUDIO_MICROSERVICE_NAME = re.compile(r"[a-zA-Z]([-a-z0-9]*[a-zA-Z0-9])+")
MICROSERVICE_NAME_RULE = (
    "a letter first, a letter or digit last, only lower-case letters, digits and '-' between"
    " (at least 2 characters)"
)


def name_rules(
    document: Document, path: list[PathPart], name: str, what: str, key: bool = False
) -> Iterator[Problem]:
    why = names.dns1123_label(name)
    if why:
        yield document.problem(path, f"{name!r} is not a valid {what}: {why}", at_key=key)


def _label(document: Document, path: list[PathPart], value: str, label: str) -> Iterator[Problem]:
    why = names.label_value(value)
    if why:
        yield document.problem(path, f"{value!r} cannot be the label {label}: {why}")


def unique_in_list(
    document: Document, path: list[PathPart], items: list[dict[str, Any]], key: str, norm: Any
) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        value = norm(item[key])
        if value in seen:
            first = document.position([*path, seen[value], key])[0]
            yield document.problem(
                [*path, index, key], f"{key} {item[key]!r} is listed twice (first at line {first})"
            )
        seen.setdefault(value, index)


def unique(items: list[Any], document_of: Any, key: str, what: str) -> Iterator[Problem]:
    """One problem at each ``key`` whose claim (``claims.claim``) an earlier file made."""
    seen: dict[str, Document] = {}
    for item in sorted(items, key=lambda i: document_of(i).path):
        document = document_of(item)
        value = claim(what, document.data[key])
        if value in seen:
            where = _where(seen[value], [key])
            yield document.problem([key], f"{what} {document.data[key]!r} is already used by {where}")
        else:
            seen[value] = document


def _where(document: Document, path: list[PathPart]) -> str:
    """``file:line`` of a node, computed only when a problem names it."""
    return f"{document.path}:{document.position(path)[0]}"


def unique_hosts(apps: list[ApplicationFolder]) -> Iterator[Problem]:
    seen: dict[str, tuple[Document, list[PathPart]]] = {}
    for app in apps:
        for path, env_name, host in host_places(app.document):
            key = claim(HOST, host["host"], env_name)
            if key in seen:
                message = f"host {host['host']!r} is already used in {env_name} by {_where(*seen[key])}"
                yield app.document.problem(path, message)
            seen.setdefault(key, (app.document, path))
            secret = names.tls_secret(host["host"], host.get("secretName"))
            why = names.dns1123_subdomain(secret)
            if why and not host.get("secretName"):
                message = f"the TLS secret would be named {secret!r}: {why}; set secretName"
                yield app.document.problem(path, message)


def microservice_name(document: Document) -> Iterator[Problem]:
    name = document.data.get("name")
    if name is None:
        return
    if STUDIO_MICROSERVICE_NAME.fullmatch(name) is None:
        yield document.problem(
            ["name"], f"{name!r} is not a valid microservice name: {MICROSERVICE_NAME_RULE}"
        )
    else:
        yield from _label(document, ["name"], name, "microservice")


def known_environments(document: Document, ms: MicroserviceFolder, app_envs: set[str]) -> Iterator[Problem]:
    listed = ", ".join(sorted(app_envs))
    for index, env_name in enumerate(document.data.get("deployTo") or []):
        if env_name not in app_envs:
            yield document.problem(
                ["deployTo", index], f"the application has no environment {env_name!r} ({listed})"
            )
    for env_name in document.data.get("environments") or {}:
        if env_name not in app_envs:
            message = f"the application has no environment {env_name!r} ({listed})"
            yield document.problem(["environments", env_name], message, at_key=True)
    for env_name, folder in sorted(ms.environment_folders.items()):
        if env_name not in app_envs:
            yield Problem(folder, 1, 1, f"the application has no environment {env_name!r} ({listed})")


def derived_names(document: Document, env_name: str, name: str) -> Iterator[Problem]:
    service = names.workload(env_name, name)
    why = names.dns1035_label(service)
    if why:
        yield document.problem(["name"], f"in {env_name} the Service would be named {service!r}: {why}")
