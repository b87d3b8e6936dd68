"""An application's shared objects: its namespace, the ``acr`` pull Secret and RBAC."""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

from aigonix_render import names
from aigonix_render.model import Application, Customer, Environment, Model
from aigonix_render.render.folder import Folder, Recipients, shared_folder
from aigonix_render.render.meta import application_meta
from aigonix_render.render.templates import Templates

READ = ("get", "list", "watch")
EDIT = ("get", "patch", "update")


class Rule(NamedTuple):
    """One rule of the developers' Role."""

    group: str
    resources: tuple[str, ...]
    resource_names: list[str]
    verbs: tuple[str, ...]


def shared_objects(model: Model, application: Application, templates: Templates) -> Folder:
    folder = Folder(shared_folder(application.name), templates)
    meta = application_meta(model.customer, application, "Namespace", application.namespace, None)
    folder.add(meta, "namespace.yaml.j2")
    if application.developers:
        _rbac(folder, model, application)
    if model.customer.registry_credentials:
        _pull_secret(folder, model.customer, application, model.customer.registry_credentials)
    return folder


def _pull_secret(folder: Folder, customer: Customer, application: Application, credentials: str) -> None:
    """Encrypted for the recipients of every environment the application deploys to."""
    kind = "kubernetes.io/dockerconfigjson"
    meta = application_meta(
        customer, application, "Secret", names.PULL_SECRET, application.namespace, type=kind
    )
    environments = [e for e in customer.environments if e.name in application.environments]
    recipients = union_recipients(environments)
    folder.secret(meta, credentials, ("password", "username"), recipients, customer.registry_server)


def union_recipients(environments: list[Environment]) -> Recipients:
    merged: dict[str, set[str]] = {}
    for environment in environments:
        for kind, keys in environment.recipients:
            merged.setdefault(kind, set()).update(keys)
    return tuple((kind, tuple(sorted(keys))) for kind, keys in sorted(merged.items()))


def docker_config(server: str, username: str, password: str) -> str:
    """The ``.dockerconfigjson`` of the ``acr`` pull Secret, compact and with sorted keys."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    entry = {"auth": auth, "password": password, "username": username}
    return json.dumps({"auths": {server: entry}}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _rbac(folder: Folder, model: Model, application: Application) -> None:
    """Role and RoleBinding ``developer`` for the application's groups, and ``devops``."""
    customer, namespace = model.customer, application.namespace
    role = application_meta(customer, application, "Role", names.DEVELOPER_ROLE, namespace)
    folder.add(role, "role.yaml.j2", rules=_developer_rules(model, application))
    binding = application_meta(customer, application, "RoleBinding", names.DEVELOPER_ROLE, namespace)
    context = {"role": names.DEVELOPER_ROLE, "account": names.DEVOPS_ACCOUNT}
    folder.add(binding, "rolebinding.yaml.j2", groups=application.developers, **context)
    account = application_meta(customer, application, "ServiceAccount", names.DEVOPS_ACCOUNT, namespace)
    folder.add(account, "serviceaccount.yaml.j2")


def _developer_rules(model: Model, application: Application) -> list[Rule]:
    """Developers read pods and logs, restart Deployments and edit their configuration."""
    deployed = [
        (app_env.environment.name, ms.name, bool(ms.secrets))
        for app_env in model.environments
        if app_env.application == application
        for ms in app_env.microservices
    ]
    workloads = sorted(names.workload(env, ms) for env, ms, _ in deployed)
    configs = (names.env_variables, names.config_files)
    config_maps = sorted(config(env, ms) for env, ms, _ in deployed for config in configs)
    secrets = sorted(names.secret_env_variables(env, ms) for env, ms, has in deployed if has)
    rules = [
        Rule("", ("pods", "pods/log", "services"), [], READ),
        Rule("apps", ("deployments",), [], READ),
        Rule("apps", ("deployments",), workloads, ("patch",)),
        Rule("", ("configmaps",), config_maps, EDIT),
    ]
    return rules + ([Rule("", ("secrets",), secrets, EDIT)] if secrets else [])
