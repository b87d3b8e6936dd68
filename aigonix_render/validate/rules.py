"""The platform's rules, beyond what JSON Schema can say, run over the whole tree.

Each check yields problems at the input node a value comes from, including every
Kubernetes name and label value the render will derive from it. Only documents that
passed the schema (``valid``) are checked, so shapes and types can be trusted here.
``field_checks`` (and ``customer_field_checks``, ``application_field_checks``) are the
exception: validation runs them on every document of their kind, on the parts the schema
accepted, so one schema error does not hide the file's other problems.
This module walks the customer, its applications and their microservices; the rules
themselves are in ``naming`` (names and places), ``ids`` (microservice ids), ``microservice_values`` (values, files
and secrets), ``horizons``, ``adoption``, ``sops_files`` and ``sealed_files`` (the application's).
"""

from __future__ import annotations

from collections.abc import Iterator

from aigonix_render.foundation import AGE_RECIPIENT, Problem, names, record
from aigonix_render.load import (
    ApplicationFolder,
    Document,
    MicroserviceFolder,
    Tree,
    deployed_environments,
    merged_document,
    override_path,
)
from aigonix_render.validate import adoption as adoption_rules
from aigonix_render.validate import horizons as horizon_rules
from aigonix_render.validate import role as role_rules
from aigonix_render.validate import sops_files
from aigonix_render.validate.claims import (
    APPLICATION_ID,
    APPLICATION_NAME,
    MICROSERVICE_NAME,
    declared_environments,
)
from aigonix_render.validate.ids import unique_ids
from aigonix_render.validate.microservice_values import (
    config_files,
    declared_secrets,
    env_vars,
    head_probes,
    images,
    ingress_paths,
    runtime_ports,
)
from aigonix_render.validate.naming import (
    STUDIO_MICROSERVICE_NAME,
    derived_names,
    known_environments,
    microservice_name,
    name_rules,
    unique,
    unique_hosts,
    unique_in_list,
)
from aigonix_render.validate.sealed_files import sealed_files


@record
class _Context:
    tree: Tree
    valid: set[str]
    environments: set[str]


def check(tree: Tree, valid: set[str]) -> Iterator[Problem]:
    customer = tree.customer
    if customer is None or customer.path not in valid:
        return
    context = _Context(tree, valid, declared_environments(tree))
    yield from _customer(customer)
    yield from _registry(tree)
    apps = [app for app in tree.applications if app.document.path in valid]
    yield from unique(apps, lambda a: a.document, "name", APPLICATION_NAME)
    yield from unique(apps, lambda a: a.document, "id", APPLICATION_ID)
    yield from unique_hosts(apps)
    yield from unique_ids(apps, valid, context.environments)
    for app in apps:
        if not app.validated_before:  # one application's rules: its bytes, validated before
            yield from _application(context, app)
    yield from horizon_rules.check(apps, valid, context.environments)
    yield from adoption_rules.check(tree, valid)
    yield from role_rules.check(tree, valid, context.environments)


# --- customer -------------------------------------------------------------------------


def _customer(document: Document) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for name, env in document.data["environments"].items():
        yield from name_rules(document, ["environments", name], name.lower(), "environment name", key=True)
        if name.lower() in seen:
            message = f"environment {name!r} and {seen[name.lower()]!r} would share the object names of {name.lower()!r}"
            yield document.problem(["environments", name], message, at_key=True)
        seen.setdefault(name.lower(), name)
        cluster = (env.get("cluster") or {}).get("name")
        if cluster is not None:
            yield from name_rules(
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
    for env_name, env in document.data["environments"].items():
        if env_name not in context.environments:
            declared = ", ".join(sorted(context.environments))
            message = f"environment {env_name!r} is not declared in the customer's aigonix.yaml ({declared})"
            yield document.problem(["environments", env_name], message, at_key=True)
        tenants = env["tenants"]
        yield from unique_in_list(document, ["environments", env_name, "tenants"], tenants, "id", str.lower)
        yield from unique_in_list(
            document, ["environments", env_name, "tenants"], tenants, "alias", str.lower
        )
    yield from sealed_files(app)
    microservices = [ms for ms in app.microservices if ms.document.path in context.valid]
    yield from unique(microservices, lambda m: m.document, "name", MICROSERVICE_NAME)
    yield from _unique_paths(context, app, microservices)
    for ms in microservices:
        yield from _microservice(context, app, ms)


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


# --- microservice ---------------------------------------------------------------------


def _microservice(context: _Context, app: ApplicationFolder, ms: MicroserviceFolder) -> Iterator[Problem]:
    document = ms.document
    data = document.data
    app_envs = set(app.document.data["environments"])
    name = data["name"]
    name_ok = STUDIO_MICROSERVICE_NAME.fullmatch(name) is not None
    yield from known_environments(document, ms, app_envs)
    deployed = deployed_environments(app.document.data, data, context.environments)
    for env_name in deployed:
        if name_ok:
            yield from derived_names(document, env_name, name)
        yield from config_files(ms, env_name)
    yield from runtime_ports(document, deployed)
    yield from head_probes(document)
    yield from declared_secrets(ms, deployed)


def customer_field_checks(document: Document) -> Iterator[Problem]:
    """The customer's checks that read one field (run on the parts the schema accepted)."""
    name = document.data.get("name") if isinstance(document.data, dict) else None
    if isinstance(name, str):
        label = names.customer_label(name)
        why = names.label_value(label)
        if why:
            yield document.problem(["name"], f"the customer name becomes the label tenant={label!r}: {why}")


def application_field_checks(document: Document) -> Iterator[Problem]:
    """The application's checks that read one field (run on the parts the schema accepted)."""
    name = document.data.get("name") if isinstance(document.data, dict) else None
    if isinstance(name, str):
        yield from name_rules(document, ["name"], name, "application name")


def field_checks(document: Document) -> Iterator[Problem]:
    """The checks of a microservice that each read one field, so they need no other field to
    be sound and run also where the schema refused the rest of the document."""
    yield from microservice_name(document)
    yield from images(document)
    yield from ingress_paths(document)
    yield from env_vars(document)
