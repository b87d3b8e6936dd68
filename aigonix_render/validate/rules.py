"""The platform's rules, beyond what JSON Schema can say.

Each check yields problems at the input node a value comes from, including every
Kubernetes name and label value the render will derive from it. Only documents that
passed the schema (``valid``) are checked, so shapes and types can be trusted here.
``field_checks`` are the exception: validation runs them on every microservice, on the
parts the schema accepted, so one schema error does not hide the file's other problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aigonix_render.foundation import AGE_RECIPIENT, RUNTIME_PORTS, Problem, Severity, names
from aigonix_render.load import (
    CONFIG_MAP_LIMIT,
    ApplicationFolder,
    Document,
    MicroserviceFolder,
    PathPart,
    Tree,
    deployed_environments,
    effective_files,
    merged_document,
    override_path,
)
from aigonix_render.validate import adoption as adoption_rules
from aigonix_render.validate import horizons as horizon_rules
from aigonix_render.validate import sops_files

STUDIO_MICROSERVICE_NAME = re.compile(r"[a-zA-Z]([-a-z0-9]*[a-zA-Z0-9])+")
MICROSERVICE_NAME_RULE = (
    "a letter first, a letter or digit last, only lower-case letters, digits and '-' between"
    " (at least 2 characters)"
)
IMAGE_REFERENCE = re.compile(
    r"(?:(?P<domain>[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
RESERVED_PATHS = ("/.well-known", "/robots.txt", "/sitemap", "/api/dolittle", "/dolittle")


@dataclass(frozen=True)
class _Context:
    tree: Tree
    valid: set[str]
    environments: set[str]


def check(tree: Tree, valid: set[str]) -> Iterator[Problem]:
    customer = tree.customer
    if customer is None or customer.path not in valid:
        return
    context = _Context(tree, valid, set(customer.data["environments"]))
    yield from _customer(customer)
    yield from _registry(tree)
    apps = [app for app in tree.applications if app.document.path in valid]
    yield from _unique(apps, lambda a: a.document, "name", "application name", str.lower)
    yield from _unique(apps, lambda a: a.document, "id", "application id", str.lower)
    yield from _unique_hosts(apps)
    microservices = [(app, ms) for app in apps for ms in app.microservices if ms.document.path in valid]
    yield from _unique(microservices, lambda p: p[1].document, "id", "microservice id", str.lower)
    for app in apps:
        yield from _application(context, app)
    yield from horizon_rules.check(apps, valid, context.environments)
    yield from adoption_rules.check(tree, valid)


# --- customer -------------------------------------------------------------------------


def _customer(document: Document) -> Iterator[Problem]:
    label = names.customer_label(document.data["name"])
    why = names.label_value(label)
    if why:
        yield document.problem(["name"], f"the customer name becomes the label tenant={label!r}: {why}")
    seen: dict[str, str] = {}
    for name, env in document.data["environments"].items():
        yield from _name_rules(document, ["environments", name], name.lower(), "environment name", key=True)
        if name.lower() in seen:
            message = f"environment {name!r} and {seen[name.lower()]!r} would share the object names of {name.lower()!r}"
            yield document.problem(["environments", name], message, at_key=True)
        seen.setdefault(name.lower(), name)
        cluster = (env.get("cluster") or {}).get("name")
        if cluster is not None:
            yield from _name_rules(
                document, ["environments", name, "cluster", "name"], cluster, "cluster name"
            )
        for index, recipient in enumerate(env["recipients"].get("age", [])):
            if not AGE_RECIPIENT.fullmatch(recipient):
                path = ["environments", name, "recipients", "age", index]
                yield document.problem(path, f"{recipient!r} is not an age recipient (age1 + 58 characters)")


def _registry(tree: Tree) -> Iterator[Problem]:
    if tree.registry is not None:
        yield from sops_files.check(tree.registry, ("password", "username"), None)


# --- application ----------------------------------------------------------------------


def _application(context: _Context, app: ApplicationFolder) -> Iterator[Problem]:
    document = app.document
    yield from _name_rules(document, ["name"], document.data["name"], "application name")
    for env_name, env in document.data["environments"].items():
        if env_name not in context.environments:
            declared = ", ".join(sorted(context.environments))
            message = f"environment {env_name!r} is not declared in the customer's aigonix.yaml ({declared})"
            yield document.problem(["environments", env_name], message, at_key=True)
        tenants = env["tenants"]
        yield from _unique_in_list(document, ["environments", env_name, "tenants"], tenants, "id", str.lower)
        yield from _unique_in_list(
            document, ["environments", env_name, "tenants"], tenants, "alias", str.lower
        )
    microservices = [ms for ms in app.microservices if ms.document.path in context.valid]
    yield from _unique(microservices, lambda m: m.document, "name", "microservice name", str.lower)
    yield from _unique_paths(context, app, microservices)
    for ms in microservices:
        yield from _microservice(context, app, ms)


def _unique_hosts(apps: list[ApplicationFolder]) -> Iterator[Problem]:
    seen: dict[tuple[str, str], tuple[Document, list[PathPart]]] = {}
    for app in apps:
        for path, env_name, host in _hosts(app.document):
            key = (env_name, host["host"].lower())
            if key in seen:
                message = f"host {host['host']!r} is already used in {env_name} by {_where(*seen[key])}"
                yield app.document.problem(path, message)
            seen.setdefault(key, (app.document, path))
            secret = names.tls_secret(host["host"], host.get("secretName"))
            why = names.dns1123_subdomain(secret)
            if why and not host.get("secretName"):
                message = f"the TLS secret would be named {secret!r}: {why}; set secretName"
                yield app.document.problem(path, message)


def _hosts(document: Document) -> Iterator[tuple[list[PathPart], str, dict[str, Any]]]:
    for env_name, env in document.data["environments"].items():
        for t, tenant in enumerate(env["tenants"]):
            for h, host in enumerate(tenant.get("hosts", [])):
                path: list[PathPart] = ["environments", env_name, "tenants", t, "hosts", h, "host"]
                yield path, env_name, host


# --- microservice ---------------------------------------------------------------------


def _microservice(context: _Context, app: ApplicationFolder, ms: MicroserviceFolder) -> Iterator[Problem]:
    document = ms.document
    data = document.data
    app_envs = set(app.document.data["environments"])
    name = data["name"]
    name_ok = STUDIO_MICROSERVICE_NAME.fullmatch(name) is not None
    yield from _known_environments(document, ms, app_envs)
    deployed = deployed_environments(app.document.data, data, context.environments)
    for env_name in deployed:
        if name_ok:
            yield from _derived_names(document, env_name, name)
        yield from _config_files(ms, env_name)
    yield from _runtime_ports(document, deployed)
    yield from _probes(document)
    yield from _secrets(ms, deployed)


def field_checks(document: Document) -> Iterator[Problem]:
    """The checks of a microservice that each read one field, so they need no other field to
    be sound and run also where the schema refused the rest of the document."""
    yield from _microservice_name(document)
    yield from _images(document)
    yield from _ingress_paths(document)
    yield from _env_vars(document)


def _microservice_name(document: Document) -> Iterator[Problem]:
    name = document.data.get("name")
    if name is None:
        return
    if STUDIO_MICROSERVICE_NAME.fullmatch(name) is None:
        yield document.problem(
            ["name"], f"{name!r} is not a valid microservice name: {MICROSERVICE_NAME_RULE}"
        )
    else:
        yield from _label(document, ["name"], name, "microservice")


def _known_environments(document: Document, ms: MicroserviceFolder, app_envs: set[str]) -> Iterator[Problem]:
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


def _derived_names(document: Document, env_name: str, name: str) -> Iterator[Problem]:
    service = names.workload(env_name, name)
    why = names.dns1035_label(service)
    if why:
        yield document.problem(["name"], f"in {env_name} the Service would be named {service!r}: {why}")


def _config_files(ms: MicroserviceFolder, env_name: str) -> Iterator[Problem]:
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


def _images(document: Document) -> Iterator[Problem]:
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


def _runtime_ports(document: Document, deployed: list[str]) -> Iterator[Problem]:
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


def _probes(document: Document) -> Iterator[Problem]:
    """A head without probes is warned about, unless ``probes: {}`` says so on purpose (what
    ``import`` writes: the platform made none, and adding them restarts the pods)."""
    probes = document.data["head"].get("probes")
    if probes == {}:
        return
    for kind in ("liveness", "readiness"):
        if kind not in (probes or {}):
            yield document.problem(
                ["head"],
                f"no {kind} probe: Kubernetes cannot tell when the head is unhealthy",
                at_key=True,
                warning=True,
            )


def _ingress_paths(document: Document) -> Iterator[Problem]:
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


def _unique_paths(
    context: _Context, app: ApplicationFolder, microservices: list[MicroserviceFolder]
) -> Iterator[Problem]:
    seen: dict[tuple[str, str], str] = {}
    for ms in microservices:
        for env_name in deployed_environments(app.document.data, ms.document.data, context.environments):
            ingress = merged_document(ms.document.data, env_name).get("ingress")
            if not ingress:
                continue
            where = override_path(ms.document.data, env_name, ["ingress", "path"])
            key = (env_name, ingress["path"])
            if key in seen:
                yield ms.document.problem(
                    where,
                    f"in {env_name} the ingress path {ingress['path']!r} is already used by {seen[key]}",
                )
            seen.setdefault(key, ms.document.data["name"])


def _env_vars(document: Document) -> Iterator[Problem]:
    for prefix, data in _overrides(document):
        for name, value in (data.get("env") or {}).items():
            path = [*prefix, "env", name]
            why = names.env_var_name(name)
            if why:
                yield document.problem(path, f"{name!r}: {why}", at_key=True)
            if isinstance(value, str) and (not value or value != value.strip()):
                message = f"the value of {name} is empty or has surrounding whitespace, which the Aigonix platform refused"
                yield document.problem(path, message, warning=True)


def _secrets(ms: MicroserviceFolder, deployed: list[str]) -> Iterator[Problem]:
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


# --- shared checks --------------------------------------------------------------------


def _name_rules(
    document: Document, path: list[PathPart], name: str, what: str, key: bool = False
) -> Iterator[Problem]:
    why = names.dns1123_label(name)
    if why:
        yield document.problem(path, f"{name!r} is not a valid {what}: {why}", at_key=key)


def _label(document: Document, path: list[PathPart], value: str, label: str) -> Iterator[Problem]:
    why = names.label_value(value)
    if why:
        yield document.problem(path, f"{value!r} cannot be the label {label}: {why}")


def _unique_in_list(
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


def _unique(items: list[Any], document_of: Any, key: str, what: str, norm: Any) -> Iterator[Problem]:
    seen: dict[str, Document] = {}
    for item in sorted(items, key=lambda i: document_of(i).path):
        document = document_of(item)
        value = norm(document.data[key])
        if value in seen:
            where = _where(seen[value], [key])
            yield document.problem([key], f"{what} {document.data[key]!r} is already used by {where}")
        else:
            seen[value] = document


def _where(document: Document, path: list[PathPart]) -> str:
    """``file:line`` of a node, computed only when a problem names it."""
    return f"{document.path}:{document.position(path)[0]}"
