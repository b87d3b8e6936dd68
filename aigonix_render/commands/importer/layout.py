"""The draft tree → its files: path relative to TREE → bytes, secrets encrypted on the way.

The places are the tree's fixed ones (README, "The input tree"); each ``aigonix.yaml``
starts with the same lines on every import, so a second import of the same dump is
byte-identical (but for the SOPS files, which sops encrypts with a new data key each time).
"""

from __future__ import annotations

from typing import Any

from aigonix_render.commands.importer.build import ApplicationTree, Draft
from aigonix_render.commands.importer.microservices import MicroserviceTree
from aigonix_render.commands.importer.secrets import REGISTRY_FILE, Keys, config_text, encrypt
from aigonix_render.commands.importer.sops_config import SOPS_CONFIG
from aigonix_render.commands.importer.yaml_out import dump
from aigonix_render.foundation import KAFKA_FILES, MANIFEST, SECRETS, STORAGE_ACCOUNT

HEADER = (
    "Written by aigonix-render import from the objects the Aigonix platform made;\n"
    "the import report lists what it could not carry."
)


def tree_files(draft: Draft, keys: Keys, write_config: bool) -> dict[str, bytes]:
    files = {MANIFEST: _text(_customer(draft, keys))}
    if draft.registry is not None:
        values = {"password": draft.registry.password, "username": draft.registry.username}
        files[REGISTRY_FILE] = encrypt(values, keys.registry, REGISTRY_FILE).encode("utf-8")
    for application in draft.applications:
        files |= _application(application, keys)
    if write_config:
        storage = {
            a.folder: keys.application(f"applications/{a.folder}/{STORAGE_ACCOUNT}", _environments(a))
            for a in draft.applications
        }
        files[SOPS_CONFIG] = config_text(keys, storage).encode("utf-8")
    return dict(sorted(files.items()))


def _text(document: dict[str, Any]) -> bytes:
    return dump(document, HEADER).encode("utf-8")


def _customer(draft: Draft, keys: Keys) -> dict[str, Any]:
    customer = {k: draft.customer[k] for k in ("apiVersion", "kind", "name", "id")}
    if draft.registry is not None:
        customer["registry"] = {"server": draft.registry.server, "credentials": REGISTRY_FILE}
        if draft.registry.key_order != "sorted":
            customer["registry"]["keyOrder"] = draft.registry.key_order
    customer["environments"] = {
        env: {"recipients": {"age": list(keys.environments[env])}, **settings}
        for env, settings in draft.customer["environments"].items()
    }
    customer["adoption"] = {"exact": True}  # nothing the platform's objects did not carry
    return customer


def _application(application: ApplicationTree, keys: Keys) -> dict[str, bytes]:
    folder = f"applications/{application.folder}"
    files = {f"{folder}/{MANIFEST}": _text(application.document)}
    for microservice in application.microservices:
        files |= _microservice(f"{folder}/microservices/{microservice.folder}", microservice, keys)
    return files | _sealed_files(folder, application, keys)


def _sealed_files(folder: str, application: ApplicationTree, keys: Keys) -> dict[str, bytes]:
    """The storage account, for every environment of the application, and each
    environment's kafka files, for that environment, as the render seals them."""
    files = {}
    if application.storage_account is not None:
        path = f"{folder}/{STORAGE_ACCOUNT}"
        recipients = keys.application(path, _environments(application))
        files[path] = encrypt(application.storage_account, recipients, path).encode("utf-8")
    for env, values in sorted(application.kafka_files.items()):
        path = f"{folder}/environments/{env}/{KAFKA_FILES}"
        files[path] = encrypt(values, keys.environments[env], path).encode("utf-8")
    return files


def _environments(application: ApplicationTree) -> list[str]:
    return sorted(application.document["environments"])


def _microservice(folder: str, ms: MicroserviceTree, keys: Keys) -> dict[str, bytes]:
    files = {f"{folder}/{MANIFEST}": _text(ms.document)}
    files |= {f"{folder}/files/{name}": content for name, content in ms.files.items()}
    for env, own in ms.environment_files.items():
        files |= {f"{folder}/environments/{env}/files/{name}": content for name, content in own.items()}
    for env, values in ms.secrets.items():
        path = f"{folder}/environments/{env}/{SECRETS}"
        files[path] = encrypt(values, keys.environments[env], path).encode("utf-8")
    return files


def secret_paths(draft: Draft) -> dict[str, list[str]]:
    """Each environment's secrets files, for the ``.sops.yaml`` rules to match."""
    paths: dict[str, list[str]] = {}
    for application in draft.applications:
        for ms in application.microservices:
            folder = f"applications/{application.folder}/microservices/{ms.folder}"
            for env in ms.secrets:
                paths.setdefault(env, []).append(f"{folder}/environments/{env}/{SECRETS}")
    return paths
