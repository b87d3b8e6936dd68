"""What one application claims that no other may have: its name and id, its hosts and its
microservices' ids in each environment.

A claim is a string, compared as it is: what is claimed, the environment where the value
must be unique there, and the value as the platform compares it (without case). The rules
that refuse a claim made twice (``naming.unique``, ``naming.unique_hosts``,
``ids.unique_ids``) key their findings by it, and the render writes each application's
claims into the ownership marker (``application_claims``), so that a no-op render, which
reads no manifest, can still tell that two branches git merged without a conflict gave two
applications the same one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from aigonix_render.load import (
    ApplicationFolder,
    Document,
    PathPart,
    Tree,
    deployed_environments,
    merged_document,
)

APPLICATION_NAME = "application name"
APPLICATION_ID = "application id"
HOST = "host"
MICROSERVICE_ID = "microservice id"
MICROSERVICE_NAME = "microservice name"
"""Unique in one application only: no claim across applications, but the same key."""


def claim(what: str, value: str, environment: str | None = None) -> str:
    """The claim on ``value`` (in ``environment``, for what is unique per environment)."""
    where = f" in {environment}" if environment is not None else ""
    return f"{what}{where}: {value.lower()}"


def host_places(document: Document) -> Iterator[tuple[list[PathPart], str, dict[str, Any]]]:
    """Each host of an application's tenants: where it is, its environment, the host."""
    for env_name, env in document.data["environments"].items():
        for t, tenant in enumerate(env["tenants"]):
            for h, host in enumerate(tenant.get("hosts", [])):
                path: list[PathPart] = ["environments", env_name, "tenants", t, "hosts", h, "host"]
                yield path, env_name, host


def deployed_microservices(
    app: ApplicationFolder, valid: Collection[str] | None, declared: Collection[str]
) -> Iterator[tuple[str, Document]]:
    """(environment, manifest) for each microservice of ``app`` where it runs; only those in
    ``valid``, unless None (a tree that rendered: every document is)."""
    for ms in app.microservices:
        if valid is None or ms.document.path in valid:
            for env in deployed_environments(app.document.data, ms.document.data, declared):
                yield env, ms.document


def microservice_id(document: Document, environment: str) -> str:
    """A microservice's id in ``environment``: its ``id``, or the environment's own."""
    return str(merged_document(document.data, environment)["id"])


def application_claims(tree: Tree) -> dict[str, tuple[str, ...]]:
    """Each application's claims (by its folder), sorted, of a tree that rendered."""
    declared = declared_environments(tree)
    return {app.folder: tuple(sorted(set(_claims(app, declared)))) for app in tree.applications}


def declared_environments(tree: Tree) -> set[str]:
    """The environments the customer declares (none without a customer)."""
    return set(tree.customer.data["environments"]) if tree.customer is not None else set()


def _claims(app: ApplicationFolder, declared: Collection[str]) -> Iterator[str]:
    data = app.document.data
    yield claim(APPLICATION_NAME, data["name"])
    yield claim(APPLICATION_ID, data["id"])
    for _, env_name, host in host_places(app.document):
        yield claim(HOST, host["host"], env_name)
    for env_name, document in deployed_microservices(app, None, declared):
        yield claim(MICROSERVICE_ID, microservice_id(document, env_name), env_name)
