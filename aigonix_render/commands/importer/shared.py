"""An application's shared objects → the tree: developer groups, the registry's credentials,
the event store (platform-api v4.13.0 pkg/platform/application/k8s/resources.go) and the
values the tree keeps sealed: the backups' storage account and each environment's kafka
files (pkg/platform/microservice/m3connector/k8s/repo.go)."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import field_path
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.foundation import names, platform, record

DOCKER_CONFIG = ".dockerconfigjson"


@record
class Registry:
    """The ``acr`` pull Secret's registry and credentials, held in memory only."""

    server: str
    username: str
    password: str
    key_order: str = "sorted"
    """``platform`` where ``.dockerconfigjson`` is in Go's field order (username, password, auth)."""


def developer_groups(
    binding: KubeObject | None, customer_id: str
) -> tuple[list[str], list[report.ReportLine]]:
    """The application's groups: every Group subject but the customer's own
    (``tenant-<customer id>``, pkg/platform/utils.go: GetCustomerGroup), which the render adds."""
    if binding is None:
        return [], []
    groups, lines = [], []
    for index, subject in enumerate(binding.body.get("subjects") or []):
        name = subject.get("name") if isinstance(subject, dict) else None
        if isinstance(subject, dict) and subject.get("kind") == "Group" and isinstance(name, str):
            if name != names.customer_group(customer_id):
                groups.append(name)
        else:
            kind = subject.get("kind", "?") if isinstance(subject, dict) else "?"
            message = f"left out: a {kind} subject (the tree names groups of developers only)"
            lines.append(report.warning(binding.ref, message, f"subjects[{index}]"))
    return groups, lines


def registry(secret: KubeObject | None) -> tuple[Registry | None, list[report.ReportLine]]:
    """``.dockerconfigjson`` with one registry (pkg/platform/application/k8s/resources.go:
    NewAcr, MakeCustomerAcrDockerConfig); its password never leaves memory but encrypted."""
    if secret is None:
        return None, []
    auths = _auths(secret)
    entries = [(server, _credentials(entry)) for server, entry in auths.items()]
    usable = [(server, found) for server, found in entries if found is not None]
    lines = [
        report.warning(
            secret.ref,
            "left out: a registry without a username and password",
            field_path("data", DOCKER_CONFIG),
        )
        for _, found in entries
        if found is None
    ]
    if len(usable) != 1:
        why = "no registry" if not usable else "more than one registry"
        lines.append(
            report.warning(
                secret.ref, f"left out: {why} (the tree holds one)", field_path("data", DOCKER_CONFIG)
            )
        )
        return None, lines
    server, (username, password) = usable[0]
    order = "platform" if list(auths[server]) == ["username", "password", "auth"] else "sorted"
    return Registry(server, username, password, order), lines


def _auths(secret: KubeObject) -> Mapping[str, Any]:
    encoded = (secret.body.get("data") or {}).get(DOCKER_CONFIG)
    try:
        config = json.loads(base64.b64decode(encoded, validate=True)) if isinstance(encoded, str) else None
    except (binascii.Error, ValueError):
        config = None
    auths = config.get("auths") if isinstance(config, dict) else None
    return auths if isinstance(auths, dict) else {}


def _credentials(entry: Any) -> tuple[str, str] | None:
    """``username`` and ``password``, or the ``auth`` they make (base64 of user:password)."""
    if not isinstance(entry, dict):
        return None
    username, password = entry.get("username"), entry.get("password")
    if isinstance(username, str) and isinstance(password, str) and username and password:
        return username, password
    try:
        user, _, secret = (
            base64.b64decode(entry.get("auth", ""), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, ValueError, TypeError):
        return None
    return (user, secret) if user and secret else None


Sealed = dict[str, str]
"""The values of a file the tree keeps sealed, held in memory only until encrypted."""


def storage_account(secret: KubeObject | None) -> tuple[Sealed | None, list[report.ReportLine]]:
    """``storage-account-secret``'s account name and key (NewStorage), decoded."""
    if secret is None:
        return None, []
    values: dict[str, Any] = {}
    for key, encoded in _mapping(secret.body.get("data")).items():
        try:
            values[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, TypeError):
            values[key] = None
    values |= _mapping(secret.body.get("stringData"))
    return _sealed(secret, values, platform.STORAGE_ACCOUNT_KEYS)


def kafka_files(
    config_maps: Mapping[str, KubeObject], environments: list[str]
) -> tuple[dict[str, Sealed], list[report.ReportLine]]:
    """Each environment's ``<env>-kafka-files`` data (UpsertKafkaFiles), by the environment
    that gives the ConfigMap its name."""
    found: dict[str, Sealed] = {}
    lines = []
    for name, config_map in sorted(config_maps.items()):
        env = next((e for e in environments if names.kafka_files(e) == name), None)
        if env is None:
            lines.append(
                report.warning(config_map.ref, "left out: no environment of the application has its name")
            )
            continue
        values, said = _sealed(config_map, _mapping(config_map.body.get("data")), platform.KAFKA_KEYS)
        lines += said
        if values is not None:
            found[env] = values
    return found, lines


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _sealed(
    obj: KubeObject, values: Mapping[str, Any], keys: tuple[str, ...]
) -> tuple[Sealed | None, list[report.ReportLine]]:
    """The ``keys`` of the tree's sealed file, each a text; without one of them the object
    is left out (the tree's file holds exactly these keys). Other keys are left out by the
    render, which the comparison with it reports."""
    missing = [key for key in keys if not isinstance(values.get(key), str) or not values[key]]
    if missing:
        message = f"left out: it has no text for {', '.join(missing)}, which the tree's sealed file needs"
        return None, [report.warning(obj.ref, message)]
    return {key: values[key] for key in keys}, []


@dataclass
class EventStore:
    document: dict[str, Any] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)


def event_store(
    environments: Mapping[str, Mapping[str, KubeObject]], all_environments: list[str]
) -> EventStore:
    """The platform made the event store with every application environment
    (application/k8s/do.go): ``always``, image and storage written out, since a
    StatefulSet's volume claims cannot change in place."""
    stateful_sets = {env: parts["mongo"] for env, parts in environments.items() if "mongo" in parts}
    store = EventStore()
    if not stateful_sets:
        return store
    images = {env: _mongo_container(s).get("image") for env, s in stateful_sets.items()}
    claims = {env: _claim(s) for env, s in stateful_sets.items()}
    store.document["image"] = (
        _agreed(store, "image", images, stateful_sets) or platform.DEFAULT_EVENT_STORE_IMAGE
    )
    size = _agreed(store, "size", {e: c[0] for e, c in claims.items()}, stateful_sets)
    class_name = _agreed(store, "className", {e: c[1] for e, c in claims.items()}, stateful_sets)
    store.document["storage"] = {
        "size": size or platform.DEFAULT_EVENT_STORE_SIZE,
        "className": class_name or platform.DEFAULT_EVENT_STORE_CLASS,
    }
    backups = {env: parts["backup"] for env, parts in environments.items() if "backup" in parts}
    if backups:
        store.document["backup"] = _backup(store, backups)
    if sorted(stateful_sets) == sorted(all_environments):
        store.document["always"] = True
    return store


def _mongo_container(stateful_set: KubeObject) -> Mapping[str, Any]:
    pod = ((stateful_set.body.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = [c for c in pod.get("containers") or [] if isinstance(c, dict)]
    return next((c for c in containers if c.get("name") == "mongo"), containers[0] if containers else {})


def _claim(stateful_set: KubeObject) -> tuple[str | None, str | None]:
    templates = (stateful_set.body.get("spec") or {}).get("volumeClaimTemplates") or [{}]
    spec = templates[0].get("spec") or {} if isinstance(templates[0], dict) else {}
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    return (str(size) if size is not None else None), spec.get("storageClassName")


def _agreed(
    store: EventStore, what: str, values: Mapping[str, Any], objects: Mapping[str, KubeObject]
) -> Any:
    """One value for the application: the most common, the others reported."""
    counted = Counter(v for v in values.values() if v is not None)
    if not counted:
        return None
    chosen = counted.most_common(1)[0][0]
    for env, value in sorted(values.items()):
        if value is not None and value != chosen:
            message = f"left out: its {what} differs from the other environments' (the tree holds one)"
            store.lines.append(report.warning(objects[env].ref, message))
    return chosen


def _backup(store: EventStore, backups: Mapping[str, KubeObject]) -> dict[str, Any]:
    """The platform's Azure file share (share ``<app>-<env>-backup``, Secret
    ``storage-account-secret``), or a PersistentVolumeClaim; the minute the platform drew."""
    schedules = {env: (cron.body.get("spec") or {}).get("schedule") for env, cron in backups.items()}
    backup: dict[str, Any] = {"schedule": _agreed(store, "schedule", schedules, backups)}
    volumes = {env: _backup_volume(cron) for env, cron in backups.items()}
    secret = _agreed(store, "backup storage", {e: v.get("secretName") for e, v in volumes.items()}, backups)
    claim = _agreed(store, "backup storage", {e: v.get("claimName") for e, v in volumes.items()}, backups)
    if secret is not None:
        backup["azureFileShare"] = {} if secret == names.BACKUP_STORAGE_SECRET else {"secretName": secret}
    elif claim is not None:
        backup["claimName"] = claim
    return {k: v for k, v in backup.items() if v is not None}


def _backup_volume(cron: KubeObject) -> Mapping[str, Any]:
    job = ((cron.body.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}
    pod = (job.get("template") or {}).get("spec") or {}
    for volume in pod.get("volumes") or []:
        if isinstance(volume, dict):
            source = volume.get("azureFile") or volume.get("persistentVolumeClaim")
            if isinstance(source, dict):
                return source
    return {}
