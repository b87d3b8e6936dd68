"""Microservice ids: unique among the microservices of each environment.

A microservice has one id per environment: its ``id``, or ``environments.<Env>.id`` where
that replaces it (platform-api v4.13.0 gave each environment's Welcome microservice its own
id, ``uuid.New()`` per environment in ``pkg/platform/application/service.go``). The render
writes the environment's id into that environment's objects, so two microservices of one
environment must not share one; the same microservice may have different ids in different
environments, and one microservice's ids are never compared with each other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from aigonix_render.foundation import Problem
from aigonix_render.load import ApplicationFolder, Document, PathPart, override_path
from aigonix_render.validate.claims import MICROSERVICE_ID, claim, deployed_microservices, microservice_id

_Place = tuple[Document, list[PathPart]]


def unique_ids(
    apps: list[ApplicationFolder], valid: set[str], declared: Collection[str]
) -> Iterator[Problem]:
    """One problem at each id that a microservice deployed earlier (by file) in the same
    environment has already; the same place clashing in several environments is said once."""
    seen: dict[str, _Place] = {}
    said: set[tuple[str, int, int]] = set()
    for env, document in _deployed(apps, valid, declared):
        ms_id = microservice_id(document, env)
        path = override_path(document.data, env, ["id"])
        first = seen.setdefault(claim(MICROSERVICE_ID, ms_id, env), (document, path))
        if first[0] is document:
            continue
        problem = document.problem(path, f"microservice id {ms_id!r} is already used by {_where(*first)}")
        if (problem.file, problem.line, problem.column) not in said:
            said.add((problem.file, problem.line, problem.column))
            yield problem


def _deployed(
    apps: list[ApplicationFolder], valid: set[str], declared: Collection[str]
) -> Iterator[tuple[str, Document]]:
    """(environment, microservice document) for every valid microservice where it runs,
    environment by environment, documents by path."""
    found = [pair for app in apps for pair in deployed_microservices(app, valid, declared)]
    yield from sorted(found, key=lambda pair: (pair[0], pair[1].path))


def _where(document: Document, path: list[PathPart]) -> str:
    """``file:line`` of a node, computed only when a problem names it."""
    return f"{document.path}:{document.position(path)[0]}"
