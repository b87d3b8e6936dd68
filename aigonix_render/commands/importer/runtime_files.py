"""The Runtime's files in ``<env>-<ms>-dolittle`` → the databases, event horizons and consents.

``resources.json`` says which databases the Runtime uses: one entry per customer tenant
with the prefix ``<ms id[0:7]>_<tenant id[0:7]>`` (platform-api v2.8.0 and later), or the
one tenant and prefix of a Runtime made before (v2.7.0 pkg/dolittle/k8s/configmaps.go:
NewMicroserviceResources), which the tree keeps as ``legacyDatabases`` so the Runtime
keeps its data. ``event-horizons.json``, ``microservices.json`` and
``event-horizon-consents.json`` hold the two sides of each event horizon
(simple/k8s/repo.go: SubscribeToAnotherApplication). ``appsettings.json`` and
``endpoints.json`` say the event store's backwards compatibility and whether the management
endpoint is listed (configmaps.go: AppsettingsV8_0_0, MicroserviceEndpointsV6_1_0); the tree
states them only where they differ from the default of the Runtime's version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import field_path
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.foundation import names, platform, record

_STORES = ("readModels", "eventStore", "projections", "embeddings")
_HORIZON_KEYS = ("scope", "microservice", "tenant", "stream", "partition")
_CONSENT_KEYS = ("microservice", "tenant", "stream", "partition", "consent")
_SERVICE_HOST = re.compile(
    r"(?P<service>[a-z0-9-]+)\.application-(?P<app>[0-9a-fA-F-]{36})\." + re.escape(names.CLUSTER_DOMAIN)
)

Entries = dict[str, list[dict[str, str]]]


@dataclass
class RuntimeFiles:
    """``legacy`` is the tree's ``legacyDatabases`` (defaults left out), None for the
    standard databases; ``backwards_compatibility`` (``V6``, ``V7``, ``none``) and
    ``management`` what the files say, None where they are not in the platform's shape;
    ``producers`` maps a producer's microservice id to its Service's name (``<env>-<ms>``,
    in the producer's environment) and application id."""

    legacy: dict[str, str] | None = None
    backwards_compatibility: str | None = None
    management: bool | None = None
    horizons: Entries = field(default_factory=dict)
    consents: Entries = field(default_factory=dict)
    producers: dict[str, tuple[str, str]] = field(default_factory=dict)
    lines: list[report.ReportLine] = field(default_factory=list)


@record
class Owner:
    """Whose files they are: names for the legacy prefix, ids for the standard one."""

    application: str
    environment: str
    microservice: str
    microservice_id: str
    tenants: tuple[str, ...]


def read_runtime_files(obj: KubeObject | None, owner: Owner) -> RuntimeFiles:
    files = RuntimeFiles()
    if obj is None:
        return files
    data = obj.body.get("data") or {}
    documents = {key: _json(data.get(key)) for key in _KEYS}
    _databases(files, obj, documents["resources.json"], owner)
    files.backwards_compatibility = _backwards_compatibility(documents[platform.APPSETTINGS_FILE])
    files.management = _management(documents["endpoints.json"])
    files.horizons = _entries(files, obj, "event-horizons.json", documents, _HORIZON_KEYS)
    files.consents = _entries(files, obj, "event-horizon-consents.json", documents, _CONSENT_KEYS)
    files.producers = _producers(documents["microservices.json"])
    return files


_KEYS = (
    "resources.json",
    "event-horizons.json",
    "event-horizon-consents.json",
    "microservices.json",
    platform.APPSETTINGS_FILE,
    "endpoints.json",
)
# endpoints.json's ports (configmaps.go: MicroserviceEndpoints); management only sometimes.
_ENDPOINTS = {"public": platform.RUNTIME_PUBLIC_PORT, "private": platform.RUNTIME_PRIVATE_PORT}
_MANAGEMENT = {"management": platform.RUNTIME_MANAGEMENT_PORT}


def runtime_settings(files: RuntimeFiles, image: str) -> dict[str, Any]:
    """The tree's ``backwardsCompatibility`` and ``managementEndpoint``: what the files say
    where it is not what the image's version renders by default; both when the version
    cannot be told, so the files do not hang on a guess."""
    default = platform.runtime_shape(image)
    told = default or platform.RuntimeShape()
    settings: dict[str, Any] = {}
    found = files.backwards_compatibility
    if found is not None and (default is None or found != platform.tree_backwards_compatibility(told)):
        settings["backwardsCompatibility"] = found
    if files.management is not None and (default is None or files.management != told.management):
        settings["managementEndpoint"] = files.management
    return settings


def _backwards_compatibility(appsettings: Any) -> str | None:
    """``V6``/``V7`` under AppsettingsV8_0_0's keys, ``none`` without them, None for what the
    platform never wrote (the render's file is then compared with it and reported)."""
    if not isinstance(appsettings, dict):
        return None
    spelled = [key for key in appsettings if key.lower() == "dolittle"]
    if not spelled:
        return platform.NO_BACKWARDS_COMPATIBILITY
    version = appsettings.get("dolittle")
    for key in ("runtime", "eventstore", "backwardscompatibility"):
        version = version.get(key) if isinstance(version, dict) and list(version) == [key] else None
    if spelled != ["dolittle"] or not isinstance(version, dict) or list(version) != ["version"]:
        return None
    found = version["version"]
    return found if found in platform.BACKWARDS_COMPATIBILITY else None


def _management(endpoints: Any) -> bool | None:
    """Whether endpoints.json lists the management endpoint; None if it is not the platform's."""
    for management, expected in ((False, _ENDPOINTS), (True, _ENDPOINTS | _MANAGEMENT)):
        if endpoints == {name: {"port": port} for name, port in expected.items()}:
            return management
    return None


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _databases(files: RuntimeFiles, obj: KubeObject, resources: Any, owner: Owner) -> None:
    prefixes = _prefixes(resources)
    standard = {t: names.database_prefix(owner.microservice_id, t) for t in owner.tenants}
    if prefixes == standard:
        return
    if prefixes is not None and len(prefixes) == 1:
        tenant, prefix = next(iter(prefixes.items()))
        files.legacy = _legacy(tenant, prefix, owner)
        return
    message = "left out: databases the tree cannot name; the render writes the standard ones"
    files.lines.append(report.warning(obj.ref, message, field_path("data", "resources.json")))


def _legacy(tenant: str, prefix: str, owner: Owner) -> dict[str, str]:
    legacy = {}
    if prefix != names.legacy_database_prefix(owner.application, owner.environment, owner.microservice):
        legacy["prefix"] = prefix
    if tenant != platform.LEGACY_TENANT:
        legacy["tenant"] = tenant
    return legacy


def _prefixes(resources: Any) -> dict[str, str] | None:
    """Each tenant's database prefix, when its four databases share one."""
    if not isinstance(resources, dict) or not resources:
        return None
    prefixes = {}
    for tenant, stores in resources.items():
        prefix = _prefix(stores)
        if prefix is None:
            return None
        prefixes[tenant] = prefix
    return prefixes


def _prefix(stores: Any) -> str | None:
    if not isinstance(stores, dict):
        return None
    found = set()
    for store, suffix in zip(_STORES, names.DATABASE_SUFFIXES, strict=True):
        database = stores.get(store, {}).get("database") if isinstance(stores.get(store), dict) else None
        if not isinstance(database, str) or not database.endswith(suffix):
            return None
        found.add(database.removesuffix(suffix))
    return found.pop() if len(found) == 1 else None


def _entries(
    files: RuntimeFiles, obj: KubeObject, key: str, documents: dict[str, Any], fields: tuple[str, ...]
) -> Entries:
    """``{tenant: [entry, ...]}`` with the fields the platform wrote, else nothing and a line."""
    document = documents[key]
    if document == {} or (document is None and key not in (obj.body.get("data") or {})):
        return {}
    if isinstance(document, dict) and all(_listed(v, fields) for v in document.values()):
        return {tenant: [{f: e[f] for f in fields} for e in entries] for tenant, entries in document.items()}
    files.lines.append(report.warning(obj.ref, "left out: not the platform's shape", field_path("data", key)))
    return {}


def _listed(entries: Any, fields: tuple[str, ...]) -> bool:
    return isinstance(entries, list) and all(
        isinstance(e, dict) and all(isinstance(e.get(f), str) for f in fields) for e in entries
    )


def _producers(document: Any) -> dict[str, tuple[str, str]]:
    """``microservices.json``: each producer's Service host names its Service and application
    (simple/k8s/repo.go: SubscribeToAnotherApplication)."""
    found = {}
    for producer, address in (document if isinstance(document, dict) else {}).items():
        host = address.get("host") if isinstance(address, dict) else None
        match = _SERVICE_HOST.fullmatch(host) if isinstance(host, str) else None
        if match:
            found[producer] = (match["service"], match["app"])
    return found
