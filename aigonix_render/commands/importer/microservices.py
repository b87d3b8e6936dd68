"""A microservice across its environments → one ``aigonix.yaml``, its files and secrets.

Each environment is read alone (``view``); the documents are then split into a common
base and ``environments.<Env>`` overrides (``merge``). Config files equal everywhere go to
``files/``, the rest to ``environments/<Env>/files/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import field_path
from aigonix_render.commands.importer.horizons import Directory, subscriptions
from aigonix_render.commands.importer.merge import split
from aigonix_render.commands.importer.recognise import MicroserviceObjects
from aigonix_render.commands.importer.view import View
from aigonix_render.foundation import names, record

_ORDER = ("id", "head", "runtime", "ingress", "connections", "platformJson", "replicas", "env")


@dataclass
class MicroserviceTree:
    folder: str
    document: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    environment_files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)


@record
class Owner:
    """The application a microservice belongs to, as its tree needs it."""

    id: str
    environments: tuple[str, ...]
    directory: Directory


def build_microservice(
    ids: Mapping[str, str],
    objects: Mapping[str, MicroserviceObjects],
    views: Mapping[str, View],
    owner: Owner,
) -> MicroserviceTree:
    """``ids``: each environment's id of the microservice; the most common is ``id``, the
    others ``environments.<Env>.id``."""
    name = objects[min(objects)].name
    documents = {env: {"id": ids[env], **view.document} for env, view in views.items()}
    parts = split(documents)
    document: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Microservice",
        "name": name,
        "id": parts.base["id"],
    }
    if sorted(views) != sorted(owner.environments):
        document["deployTo"] = sorted(views)
    document |= {key: parts.base[key] for key in _ORDER if parts.base.get(key, {}) not in ({}, [])}
    tree = MicroserviceTree(name.lower(), document)
    tree.lines += [line for view in views.values() for line in view.lines]
    secret_overrides = _secrets(tree, views)
    _horizons(tree, objects, views, owner, ids)
    overrides = {env: _ordered(o) for env, o in parts.overrides.items()}
    for env, declared in secret_overrides.items():
        overrides[env] = {**overrides.get(env, {}), "secrets": declared}
    if overrides:
        document["environments"] = dict(sorted(overrides.items()))
    _files(tree, views)
    return tree


def _ordered(override: Mapping[str, Any]) -> dict[str, Any]:
    return {key: override[key] for key in _ORDER if key in override}


def _secrets(tree: MicroserviceTree, views: Mapping[str, View]) -> dict[str, list[str]]:
    """The secret names most environments have go to ``secrets``; an environment with other
    names gets ``environments.<Env>.secrets`` (``[]`` for none), so each secrets.yaml holds
    exactly what that environment's Secret held. Returns those per-environment lists."""
    per_env = {env: sorted(view.secrets) for env, view in sorted(views.items())}
    if not any(per_env.values()):
        return {}
    base = max(per_env.values(), key=lambda names: (sum(n == names for n in per_env.values()), len(names)))
    if base:
        tree.document["secrets"] = base
    for env, view in sorted(views.items()):
        if view.secrets:
            tree.secrets[env] = dict(sorted(view.secrets.items()))
    return {env: declared for env, declared in per_env.items() if declared != base}


def _horizons(
    tree: MicroserviceTree,
    objects: Mapping[str, MicroserviceObjects],
    views: Mapping[str, View],
    owner: Owner,
    ids: Mapping[str, str],
) -> None:
    """The entries of every environment; one that is not in all of them is reported."""
    per_env: dict[str, list[dict[str, Any]]] = {}
    stated: dict[str, dict[str, dict[str, Any]]] = {}
    for env, view in sorted(views.items()):
        subject = f"ConfigMap/{names.dolittle_config(env, objects[env].name)}"
        found, lines = subscriptions(view, (owner.id, ids[env]), owner.directory, subject)
        tree.lines += lines
        for entry in found:
            for key in _STATED:
                stated.setdefault(key, {}).setdefault(repr(_bare(entry)), {}).update(entry.get(key, {}))
        per_env[env] = [_bare(e) for e in found]
        unknown = {
            e["microservice"]
            for entries in view.runtime_files.consents.values()
            for e in entries
            if e["microservice"] not in owner.directory.microservices
        }
        if unknown:
            message = (
                f"changed by the render: the consumers {', '.join(sorted(unknown))} are not in the dump,"
                " so the tree has no event horizon for their consents"
            )
            tree.lines.append(
                report.warning(subject, message, field_path("data", "event-horizon-consents.json"))
            )
    _one_source(per_env, stated)
    union = {repr(e): e for entries in per_env.values() for e in entries}
    for _, entry in sorted(union.items()):
        missing = [env for env, entries in per_env.items() if entry not in entries]
        if missing:
            subject = f"ConfigMap/{names.dolittle_config(missing[0], objects[missing[0]].name)}"
            message = "added by the render: the tree's event horizons are the same in every environment"
            tree.lines.append(report.warning(subject, message, field_path("data", "event-horizons.json")))
    for key, entry in union.items():
        for field_name in _STATED:
            if stated.get(field_name, {}).get(key):
                entry[field_name] = dict(sorted(stated[field_name][key].items()))
    if union:
        tree.document["eventHorizons"] = [union[k] for k in sorted(union)]


# What an entry states per environment, merged across the environments.
_STATED = ("consents", "order")


def _bare(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _STATED}


def _one_source(
    per_env: dict[str, list[dict[str, Any]]], stated: dict[str, dict[str, dict[str, Any]]]
) -> None:
    """An entry read from the producer in another environment (``producer.environment: Y``)
    is, in Y itself, the entry without it: where that one is only in Y, it becomes the
    other, so the tree has one entry for both."""
    for env, entries in per_env.items():
        for index, entry in enumerate(entries):
            pinned = {**entry, "producer": {**entry["producer"], "environment": env}}
            elsewhere = [e for other, found in per_env.items() if other != env for e in found]
            if "environment" in entry["producer"] or pinned not in elsewhere or entry in elsewhere:
                continue
            entries[index] = pinned
            for field_name in _STATED:
                moved = stated.get(field_name, {}).pop(repr(entry), {})
                stated.setdefault(field_name, {}).setdefault(repr(pinned), {}).update(moved)


def _files(tree: MicroserviceTree, views: Mapping[str, View]) -> None:
    every = list(views.values())
    common = {
        name: content
        for name, content in every[0].files.items()
        if all(view.files.get(name) == content for view in every)
    }
    tree.files = dict(sorted(common.items()))
    for env, view in sorted(views.items()):
        own = {name: content for name, content in view.files.items() if name not in common}
        if own:
            tree.environment_files[env] = dict(sorted(own.items()))
