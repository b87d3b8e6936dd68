"""An application's shared objects: its namespace, the ``acr`` pull Secret and RBAC, which
the platform made for every application (platform-api v4.13.0 pkg/platform/application/k8s/do.go),
and ``storage-account-secret`` when the tree holds its sealed values."""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

from aigonix_render.foundation import names, platform, replace
from aigonix_render.model import (
    Application,
    ApplicationEnvironment,
    Customer,
    Environment,
    Microservice,
    Model,
)
from aigonix_render.render.folder import Folder, Recipients, shared_folder
from aigonix_render.render.meta import RETAINED, application_meta
from aigonix_render.render.templates import Templates

LIST = ("get", "list")
READ = ("get", "list", "watch")
SCALE = ("get", "list", "watch", "patch", "update")
EDIT = ("get", "patch")


class Rule(NamedTuple):
    """One rule of the developers' Role."""

    group: str
    resources: tuple[str, ...]
    resource_names: list[str]
    verbs: tuple[str, ...]


def shared_objects(model: Model, application: Application, templates: Templates) -> Folder:
    folder = Folder(shared_folder(application.name), templates)
    namespace = application.namespace
    meta = application_meta(model.customer, application, "Namespace", namespace, None, annotations=RETAINED)
    folder.add(meta, "namespace.yaml.j2")
    _rbac(folder, model, application)
    if model.customer.registry_credentials:
        _pull_secret(folder, model.customer, application, model.customer.registry_credentials)
    if application.storage_account:
        _storage_account(folder, model.customer, application, application.storage_account)
    return folder


def _pull_secret(folder: Folder, customer: Customer, application: Application, credentials: str) -> None:
    """Encrypted for the recipients of every environment the application deploys to."""
    kind = "kubernetes.io/dockerconfigjson"
    meta = application_meta(
        customer, application, "Secret", names.PULL_SECRET, application.namespace, type=kind
    )
    folder.secret(
        meta,
        credentials,
        ("password", "username"),
        _application_recipients(customer, application),
        customer.registry_server,
        customer.registry_key_order,
    )


def _storage_account(folder: Folder, customer: Customer, application: Application, source: str) -> None:
    """The Azure storage account of the backups' file shares, as the platform made it with
    the application (pkg/platform/application/k8s/resources.go: NewStorage; no type, which
    the API server makes Opaque); sealed, like ``acr``, for every environment's recipients."""
    meta = application_meta(
        customer, application, "Secret", names.BACKUP_STORAGE_SECRET, application.namespace, type="Opaque"
    )
    folder.secret(meta, source, platform.STORAGE_ACCOUNT_KEYS, _application_recipients(customer, application))


def _application_recipients(customer: Customer, application: Application) -> Recipients:
    """The recipients of every environment the application deploys to."""
    return union_recipients([e for e in customer.environments if e.name in application.environments])


def union_recipients(environments: list[Environment]) -> Recipients:
    merged: dict[str, set[str]] = {}
    for environment in environments:
        for kind, keys in environment.recipients:
            merged.setdefault(kind, set()).update(keys)
    return tuple((kind, tuple(sorted(keys))) for kind, keys in sorted(merged.items()))


def docker_config(server: str, username: str, password: str, order: str = "sorted") -> str:
    """The ``.dockerconfigjson`` of the ``acr`` pull Secret, compact, with sorted keys or,
    for ``order="platform"``, in the field order of the platform's Go struct (username,
    password, auth: pkg/platform/application/k8s/resources.go: MakeCustomerAcrDockerConfig)."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    entry = {"username": username, "password": password, "auth": auth}
    ordered = order == "platform"
    text = json.dumps(
        {"auths": {server: entry}}, sort_keys=not ordered, separators=(",", ":"), ensure_ascii=False
    )
    return text.translate(_GO_ESCAPES) if ordered else text


# Go's json.Marshal escapes these (HTML safety).
_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _rbac(folder: Folder, model: Model, application: Application) -> None:
    """Role ``developer``, bound to the application's groups and the customer's group, and
    the ServiceAccount ``devops`` with a RoleBinding of its own to the same Role
    (NewDeveloperRbac; pkg/platform/k8s/serviceaccount.go)."""
    customer, namespace = model.customer, application.namespace
    role = application_meta(customer, application, "Role", names.DEVELOPER_ROLE, namespace)
    folder.add(role, "role.yaml.j2", rules=_developer_rules(model, application))
    binding = application_meta(customer, application, "RoleBinding", names.DEVELOPER_ROLE, namespace)
    groups = [*application.developers, names.customer_group(customer.id)]
    folder.add(binding, "rolebinding.yaml.j2", role=names.DEVELOPER_ROLE, groups=groups, account=None)
    devops = replace(binding, name=names.DEVOPS_ACCOUNT)
    folder.add(
        devops, "rolebinding.yaml.j2", role=names.DEVELOPER_ROLE, groups=[], account=names.DEVOPS_ACCOUNT
    )
    account = application_meta(customer, application, "ServiceAccount", names.DEVOPS_ACCOUNT, namespace)
    folder.add(account, "serviceaccount.yaml.j2")


def _developer_rules(model: Model, application: Application) -> list[Rule]:
    """The platform's rules: read the namespace, pods and logs; scale and edit Deployments;
    port-forward to each event store; edit each microservice's env variables, config files
    and secret env variables (NewDeveloperRbac, NewMongoPortForwardPolicyRole,
    pkg/platform/microservice/k8s/resources.go: NewMicroservicePolicyRules)."""
    app_envs = [e for e in model.environments if e.application == application]
    rules = [
        Rule("", ("namespaces",), [application.namespace], LIST),
        Rule("", ("pods", "pods/log"), [], READ),
        Rule("apps", ("deployments", "deployments/scale"), [], SCALE),
        Rule("", ("services", "pods"), [], LIST),
    ]
    for app_env in app_envs:
        if app_env.has_event_store:
            pod = names.mongo_pod(app_env.environment.name)
            rules.append(Rule("", ("pods/portforward",), [pod], ("create",)))
    return rules + [
        rule for app_env, ms in _edited(app_envs, application) for rule in _edit_rules(app_env, ms)
    ]


def _edited(
    app_envs: list[ApplicationEnvironment], application: Application
) -> list[tuple[ApplicationEnvironment, Microservice]]:
    """The microservices whose edit rules the Role lists, in its order: by default by
    environment, then by name; ``developerRole.order`` first and ``without`` none, as the
    platform appended them (AddPolicyRule, in creation order; v2.7.0 added none)."""
    every = {
        f"{app_env.environment.lower}/{ms.lower}": (app_env, ms)
        for app_env in app_envs
        for ms in app_env.microservices
    }
    first = [entry.lower() for entry in application.role_order]
    first = [entry for entry in first if entry in every]
    skipped = {entry.lower() for entry in (*first, *application.role_without)}
    return [every[e] for e in first] + [pair for entry, pair in every.items() if entry not in skipped]


def _edit_rules(app_env: ApplicationEnvironment, ms: Microservice) -> list[Rule]:
    env = app_env.environment.name
    config_maps = [names.env_variables(env, ms.name), names.config_files(env, ms.name)]
    return [
        Rule("", ("configmaps",), config_maps, EDIT),
        Rule("", ("secrets",), [names.secret_env_variables(env, ms.name)], EDIT),
    ]
