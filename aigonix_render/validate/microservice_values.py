"""The platform's rules about a microservice's values, config files and secrets: images
pinned, ports free of the Runtime's, probes, ingress paths not reserved, env variables,
ConfigMap keys and size, and each environment's secrets.yaml holding what is declared.

Each check yields problems at the input node a value comes from (an environment override,
when it sets the value), or at the file a problem is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aigonix_render.foundation import RUNTIME_PORTS, Problem, Severity, names
from aigonix_render.load import (
    CONFIG_MAP_LIMIT,
    Document,
    MicroserviceFolder,
    PathPart,
    effective_files,
    merged_document,
    override_path,
)
from aigonix_render.validate import sops_files

IMAGE_REFERENCE = re.compile(
    r"(?:(?P<domain>[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
RESERVED_PATHS = ("/.well-known", "/robots.txt", "/sitemap", "/api/dolittle", "/dolittle")


def config_files(ms: MicroserviceFolder, env_name: str) -> Iterator[Problem]:
    files = effective_files(ms, env_name)
    for config in files:
        why = names.config_map_key(config.name)
        if why:
            yield Problem(config.path, 1, 1, f"{config.name!r} cannot be a ConfigMap key: {why}")
    total = sum(f.size for f in files)
    if total > CONFIG_MAP_LIMIT and files:
        largest = max(files, key=lambda f: f.size)
        message = f"in {env_name} the config files add up to {total} bytes, over the 1 MiB a ConfigMap holds"
        yield Problem(largest.path, 1, 1, message)


def _overrides(document: Document) -> Iterator[tuple[list[PathPart], dict[str, Any]]]:
    """The base document and each environment override, with the path that leads to it."""
    yield [], document.data
    for env_name, override in (document.data.get("environments") or {}).items():
        yield ["environments", env_name], override


def images(document: Document) -> Iterator[Problem]:
    for prefix, data in _overrides(document):
        image = (data.get("head") or {}).get("image")
        if image is None:
            continue
        path = [*prefix, "head", "image"]
        match = IMAGE_REFERENCE.fullmatch(image)
        if match is None:
            yield document.problem(path, f"{image!r} is not a valid image reference")
        elif not match["digest"] and match["tag"] in (None, "latest"):
            yield document.problem(
                path, f"{image!r} is not pinned: use a version tag, not latest", warning=True
            )


def runtime_ports(document: Document, deployed: list[str]) -> Iterator[Problem]:
    """The head shares its pod with the Runtime, so it cannot listen on the Runtime's ports."""
    for env_name in deployed:
        merged = merged_document(document.data, env_name)
        port = merged["head"].get("port")
        if merged.get("runtime") and port in RUNTIME_PORTS:
            where = override_path(document.data, env_name, ["head", "port"])
            ports = ", ".join(str(p) for p in RUNTIME_PORTS)
            yield document.problem(
                where, f"port {port} belongs to the Runtime beside the head (it uses {ports})"
            )


# What a head without each probe loses (the kubelet restarts on liveness, routes on readiness).
_PROBES = {
    "liveness": "Kubernetes cannot tell when the head hangs, and never restarts it",
    "readiness": "Kubernetes sends the head traffic before it can serve, and while it cannot",
}


def head_probes(document: Document) -> Iterator[Problem]:
    """A head without probes is warned about, unless ``probes: {}`` says so on purpose (what
    ``import`` writes: the platform made none, and adding them restarts the pods)."""
    probes = document.data["head"].get("probes")
    if probes == {}:
        return
    for kind, missing in _PROBES.items():
        if kind not in (probes or {}):
            yield document.problem(
                ["head"],
                f"no {kind} probe: {missing}",
                at_key=True,
                warning=True,
            )


def ingress_paths(document: Document) -> Iterator[Problem]:
    for prefix, data in _overrides(document):
        path = (data.get("ingress") or {}).get("path")
        if path is not None and any(_under(path.lower(), r) for r in RESERVED_PATHS):
            yield document.problem([*prefix, "ingress", "path"], f"{path!r} is reserved by the platform")


def _under(path: str, reserved: str) -> bool:
    return (
        path == reserved
        or path.startswith(reserved + "/")
        or (reserved == "/sitemap" and path.startswith(reserved))
    )


def env_vars(document: Document) -> Iterator[Problem]:
    for prefix, data in _overrides(document):
        for name, value in (data.get("env") or {}).items():
            path = [*prefix, "env", name]
            why = names.env_var_name(name)
            if why:
                yield document.problem(path, f"{name!r}: {why}", at_key=True)
            if isinstance(value, str) and (not value or value != value.strip()):
                message = f"the value of {name} is empty or has surrounding whitespace, which the Aigonix platform refused"
                yield document.problem(path, message, warning=True)


def declared_secrets(ms: MicroserviceFolder, deployed: list[str]) -> Iterator[Problem]:
    """Secret names are declared in the base or per environment (``environments.<Env>.secrets``
    replaces the list there); each deployed environment's secrets.yaml holds exactly its list."""
    document = ms.document
    for prefix, data in _overrides(document):
        for index, name in enumerate(data.get("secrets") or []):
            yield from _secret_name(document, [*prefix, "secrets", index], name, deployed)
    for env_name in deployed:
        declared = merged_document(document.data, env_name).get("secrets") or []
        secrets = ms.secrets.get(env_name)
        if declared and secrets is None and env_name not in ms.unreadable_secrets:
            expected = f"{ms.folder}/environments/{env_name}/secrets.yaml"
            where = override_path(document.data, env_name, ["secrets"])
            yield document.problem(where, f"secrets are declared but {expected} is missing", at_key=True)
        elif secrets is not None:
            yield from sops_files.check(secrets, tuple(declared), document)
    for env_name, secrets in sorted(ms.secrets.items()):
        if env_name not in deployed and env_name in ms.environment_folders:
            yield Problem(
                secrets.path,
                1,
                1,
                f"the microservice is not deployed to {env_name}; this file is unused",
                Severity.WARNING,
            )


def _secret_name(
    document: Document, path: list[PathPart], name: str, deployed: list[str]
) -> Iterator[Problem]:
    why = names.env_var_name(name)
    if why:
        yield document.problem(path, f"{name!r}: {why}")
    clashes = [e for e in deployed if name in (merged_document(document.data, e).get("env") or {})]
    if clashes:
        where = "" if name in (document.data.get("env") or {}) else f" in {', '.join(clashes)}"
        yield document.problem(path, f"{name!r} is also a plain env variable{where}")
