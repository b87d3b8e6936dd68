"""Stage 4, render: the model → Kubernetes objects as YAML text, one object per file.

Objects follow the Aigonix platform's names, labels and annotations. Secrets are not
rendered here: they become ``PendingSecret`` values that the seal stage fills and encrypts.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from aigonix_render import runtime_config
from aigonix_render.model import (
    Application,
    ApplicationEnvironment,
    Customer,
    Environment,
    GitOps,
    Microservice,
    Model,
    Subscription,
    Tenant,
)
from aigonix_render.write import OutputFile
from aigonix_render.yaml_text import scalar

MANAGED_BY = "aigonix-render"
SHARED_FOLDER = "_shared"
DELIVERY_FOLDER = "_delivery"
KUSTOMIZATION = "kustomization.yaml"


@dataclass(frozen=True)
class Meta:
    """The metadata of one object, plus its selector where it has one."""

    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    selector: Mapping[str, str] = field(default_factory=dict)
    type: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.kind.lower()}-{self.name}.yaml"


@dataclass(frozen=True)
class PendingSecret:
    """A Secret whose values are still in an encrypted source file."""

    path: str
    meta: Meta
    source: str
    keys: tuple[str, ...]
    recipients: tuple[tuple[str, tuple[str, ...]], ...]
    docker_server: str | None = None


@dataclass(frozen=True)
class Rendering:
    files: tuple[OutputFile, ...]
    secrets: tuple[PendingSecret, ...]


class Templates:
    """One Jinja2 environment per run; every value passes the ``y``/``mapping`` filters."""

    def __init__(self) -> None:
        folder = str(resources.files("aigonix_render.templates"))
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
        )
        self.environment.filters["y"] = scalar
        self.environment.filters["mapping"] = mapping
        self.environment.filters["metadata"] = metadata

    def render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(**context)


def mapping(values: Mapping[str, object] | Iterable[tuple[str, object]], indent: int) -> str:
    """A block mapping of scalars, keys sorted, each line indented by ``indent``."""
    items = tuple(sorted(dict(values).items()))
    if all(isinstance(v, str) for _, v in items) and len(items) <= 12:
        return _string_mapping(items, indent)
    pad = " " * indent
    return "\n".join(f"{pad}{scalar(k, indent)}: {scalar(v, indent)}" for k, v in items)


@lru_cache(maxsize=4096)
def _string_mapping(items: tuple[tuple[str, str], ...], indent: int) -> str:
    """Labels, selectors and annotations repeat on every object of a microservice."""
    pad = " " * indent
    return "\n".join(f"{pad}{scalar(k, indent)}: {scalar(v, indent)}" for k, v in items)


def metadata(meta: Meta) -> str:
    """The ``metadata:`` block of an object, keys sorted."""
    lines = ["metadata:"]
    if meta.annotations:
        lines += ["  annotations:", mapping(meta.annotations, 4)]
    lines += ["  labels:", mapping(meta.labels, 4), f"  name: {scalar(meta.name)}"]
    if meta.namespace:
        lines.append(f"  namespace: {scalar(meta.namespace)}")
    return "\n".join(lines)


def render_model(model: Model, templates: Templates) -> Rendering:
    files: list[OutputFile] = []
    secrets: list[PendingSecret] = []
    for application in model.applications:
        folder = f"{application.name}/{SHARED_FOLDER}"
        shared = _Folder(folder, templates)
        shared.add(_namespace(model.customer, application), "namespace.yaml.j2")
        if application.developers:
            _rbac(shared, model, application)
        if model.customer.registry_credentials:
            shared.secret(_pull_secret(model, application))
        files.extend(shared.files())
        secrets.extend(shared.secrets)
    for app_env in model.environments:
        folder = f"{app_env.application.name}/{app_env.environment.lower}"
        environment = _Folder(folder, templates)
        _environment_objects(environment, app_env, model.subscriptions)
        for ms in app_env.microservices:
            _microservice(environment, app_env, ms, model.subscriptions)
        files.extend(environment.files())
        secrets.extend(environment.secrets)
    if model.customer.gitops:
        files.extend(_delivery(model, model.customer.gitops, templates))
    return Rendering(tuple(files), tuple(secrets))


class _Folder:
    """The objects of one output directory and its kustomization."""

    def __init__(self, folder: str, templates: Templates) -> None:
        self.folder = folder
        self.templates = templates
        self.rendered: list[OutputFile] = []
        self.secrets: list[PendingSecret] = []

    def add(self, meta: Meta, template: str, **context: Any) -> None:
        text = self.templates.render(template, o=meta, **context)
        self.rendered.append(OutputFile(f"{self.folder}/{meta.file_name}", text))

    def secret(self, pending: PendingSecret) -> None:
        self.secrets.append(pending)

    def files(self) -> list[OutputFile]:
        paths = [f.path for f in self.rendered] + [s.path for s in self.secrets]
        names = sorted(path.rsplit("/", 1)[1] for path in paths)
        text = self.templates.render("kustomization.yaml.j2", resources=names)
        return [*self.rendered, OutputFile(f"{self.folder}/{KUSTOMIZATION}", text)]

    def pending(
        self,
        meta: Meta,
        source: str,
        keys: tuple[str, ...],
        recipients: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> PendingSecret:
        return PendingSecret(f"{self.folder}/{meta.file_name}", meta, source, keys, recipients)


# --- application-wide objects ---------------------------------------------------------


def _application_labels(customer: Customer, application: Application) -> dict[str, str]:
    return {
        "tenant": customer.label,
        "application": application.name,
        "app.kubernetes.io/part-of": application.name,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def _application_annotations(customer: Customer, application: Application) -> dict[str, str]:
    return {"dolittle.io/tenant-id": customer.id, "dolittle.io/application-id": application.id}


def _namespace(customer: Customer, application: Application) -> Meta:
    labels = _application_labels(customer, application)
    return Meta(
        "Namespace",
        application.namespace,
        None,
        labels,
        _application_annotations(customer, application),
    )


def _pull_secret(model: Model, application: Application) -> PendingSecret:
    customer = model.customer
    meta = Meta(
        "Secret",
        "acr",
        application.namespace,
        _application_labels(customer, application),
        _application_annotations(customer, application),
        type="kubernetes.io/dockerconfigjson",
    )
    environments = [e for e in customer.environments if e.name in application.environments]
    assert customer.registry_credentials is not None
    return PendingSecret(
        f"{application.name}/{SHARED_FOLDER}/{meta.file_name}",
        meta,
        customer.registry_credentials,
        ("password", "username"),
        union_recipients(environments),
        docker_server=customer.registry_server,
    )


def union_recipients(environments: list[Environment]) -> tuple[tuple[str, tuple[str, ...]], ...]:
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


# --- per microservice -----------------------------------------------------------------


def _ms_labels(app_env: ApplicationEnvironment, ms: Microservice) -> dict[str, str]:
    return {
        "tenant": app_env.customer.label,
        "application": app_env.application.name,
        "environment": app_env.environment.name,
        "microservice": ms.name,
    }


def _ms_meta(
    app_env: ApplicationEnvironment, ms: Microservice, kind: str, suffix: str = "", **extra: Any
) -> Meta:
    selector = _ms_labels(app_env, ms)
    labels = {
        **selector,
        "app.kubernetes.io/name": ms.name,
        "app.kubernetes.io/part-of": app_env.application.name,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    annotations = {
        "dolittle.io/tenant-id": app_env.customer.id,
        "dolittle.io/application-id": app_env.application.id,
        "dolittle.io/microservice-id": ms.id,
        "dolittle.io/microservice-kind": "simple",
        **extra.pop("annotations", {}),
    }
    name = f"{app_env.environment.lower}-{ms.lower}{suffix}"
    return Meta(kind, name, app_env.application.namespace, labels, annotations, selector, **extra)


def _microservice(
    folder: _Folder,
    app_env: ApplicationEnvironment,
    ms: Microservice,
    subscriptions: tuple[Subscription, ...],
) -> None:
    env_variables = _ms_meta(app_env, ms, "ConfigMap", "-env-variables")
    config_files = _ms_meta(app_env, ms, "ConfigMap", "-config-files")
    dolittle_config = _ms_meta(app_env, ms, "ConfigMap", "-dolittle")
    folder.add(env_variables, "configmap.yaml.j2", data=dict(ms.env), binary_data={})
    text, binary = _split_files(ms)
    folder.add(config_files, "configmap.yaml.j2", data=text, binary_data=binary)
    if ms.runtime:
        dolittle = runtime_config.dolittle_files(app_env, ms, subscriptions)
        folder.add(dolittle_config, "configmap.yaml.j2", data=dolittle, binary_data={})
        _event_horizon_policy(folder, app_env, ms, subscriptions)
    secret_name = None
    if ms.secrets and ms.secrets_file:
        secret = _ms_meta(app_env, ms, "Secret", "-secret-env-variables", type="Opaque")
        folder.secret(folder.pending(secret, ms.secrets_file, ms.secrets, app_env.environment.recipients))
        secret_name = secret.name
    deployment = _ms_meta(app_env, ms, "Deployment")
    folder.add(
        deployment,
        "deployment.yaml.j2",
        ms=ms,
        pull_secret=bool(app_env.customer.registry_credentials),
        env_variables=env_variables.name,
        secret_env_variables=secret_name,
        config_files=config_files.name,
        dolittle_config=dolittle_config.name,
        tenants_config=_tenants_name(app_env),
    )
    folder.add(_ms_meta(app_env, ms, "Service"), "service.yaml.j2", ms=ms)
    if ms.ingress_path is not None:
        _public(folder, app_env, ms, deployment.name)


def _tenants_name(app_env: ApplicationEnvironment) -> str:
    return f"{app_env.environment.lower}-tenants"


def _environment_meta(app_env: ApplicationEnvironment, kind: str, name: str, **extra: str) -> Meta:
    selector = {
        "tenant": app_env.customer.label,
        "application": app_env.application.name,
        "environment": app_env.environment.name,
        **extra,
    }
    labels = {
        **selector,
        "app.kubernetes.io/part-of": app_env.application.name,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    annotations = _application_annotations(app_env.customer, app_env.application)
    return Meta(kind, name, app_env.application.namespace, labels, annotations, selector)


def _environment_objects(
    folder: _Folder, app_env: ApplicationEnvironment, subscriptions: tuple[Subscription, ...]
) -> None:
    """The objects every application environment has, and the event store where needed."""
    env = app_env.environment.lower
    tenants = {"tenants.json": runtime_config.tenants_json(app_env)}
    folder.add(
        _environment_meta(app_env, "ConfigMap", _tenants_name(app_env)),
        "configmap.yaml.j2",
        data=tenants,
        binary_data={},
    )
    folder.add(_environment_meta(app_env, "NetworkPolicy", env), "networkpolicy-environment.yaml.j2")
    if any(ms.runtime for ms in app_env.microservices):
        _event_store(folder, app_env)


def _event_store(folder: _Folder, app_env: ApplicationEnvironment) -> None:
    name = f"{app_env.environment.lower}-mongo"
    store = app_env.application.event_store
    meta = _environment_meta(app_env, "Service", name, infrastructure="Mongo")
    folder.add(meta, "mongo-service.yaml.j2")
    production = app_env.environment.production
    resources = [
        ("limits", {"cpu": "2000m", "memory": "2Gi"}),
        ("requests", {"cpu": "100m" if production else "50m", "memory": "512Mi"}),
    ]
    context = {"store": store, "resources": resources, "storage": f"{name}-storage"}
    folder.add(replace(meta, kind="StatefulSet"), "mongo-statefulset.yaml.j2", **context)
    if store.backup_claim:
        backup = replace(meta, kind="CronJob", name=f"{name}-backup")
        folder.add(
            backup,
            "mongo-backup-cronjob.yaml.j2",
            store=store,
            schedule=_backup_schedule(app_env),
            script=_backup_script(app_env),
        )


def _backup_schedule(app_env: ApplicationEnvironment) -> str:
    """Hourly at a minute of its own (spread, yet the same on every render) unless given."""
    given = app_env.application.event_store.backup_schedule
    if given:
        return given
    seed = hashlib.sha256(f"{app_env.application.id}/{app_env.environment.name}".encode()).digest()
    return f"{seed[0] % 60} * * * *"


def _backup_script(app_env: ApplicationEnvironment) -> str:
    host = runtime_config.mongo_host(app_env)
    archive = f"/mnt/backup/{app_env.application.name}-{app_env.environment.lower}-$(date -u +%Y-%m-%dT%H-%M-%S).gz.mongodump"
    return f'mongodump --host={host}:{runtime_config.MONGO_PORT} --gzip --archive="{archive}"'


def _event_horizon_policy(
    folder: _Folder,
    app_env: ApplicationEnvironment,
    ms: Microservice,
    subscriptions: tuple[Subscription, ...],
) -> None:
    """The producer admits its consumers' pods to the Runtime's public port."""
    consumers = sorted(
        {
            (s.consumer.application.id, s.consumer.application.name, s.consumer.name)
            for s in subscriptions
            if s.environment == app_env.environment.name
            and s.producer.id == ms.id
            and s.producer.application == app_env.application
        }
    )
    if not consumers:
        return
    peers = [
        {
            "namespace": {"tenant": app_env.customer.label, "application": app_name},
            "pods": {"environment": app_env.environment.name, "microservice": ms_name},
        }
        for _, app_name, ms_name in consumers
    ]
    folder.add(
        _ms_meta(app_env, ms, "NetworkPolicy", "-event-horizons"),
        "networkpolicy-event-horizons.yaml.j2",
        consumers=peers,
    )


def _rbac(shared: _Folder, model: Model, application: Application) -> None:
    """Role and RoleBinding ``developer`` for the application's groups, and ``devops``."""
    labels = _application_labels(model.customer, application)
    annotations = _application_annotations(model.customer, application)
    namespace = application.namespace
    objects = [app_env for app_env in model.environments if app_env.application == application]
    names = [f"{e.environment.lower}-{ms.lower}" for e in objects for ms in e.microservices]
    secrets = [
        f"{e.environment.lower}-{ms.lower}-secret-env-variables"
        for e in objects
        for ms in e.microservices
        if ms.secrets
    ]
    rules = [
        {
            "group": "",
            "resources": ["pods", "pods/log", "services"],
            "names": [],
            "verbs": ["get", "list", "watch"],
        },
        {"group": "apps", "resources": ["deployments"], "names": [], "verbs": ["get", "list", "watch"]},
        {"group": "apps", "resources": ["deployments"], "names": sorted(names), "verbs": ["patch"]},
        {
            "group": "",
            "resources": ["configmaps"],
            "names": sorted(f"{n}-{suffix}" for n in names for suffix in ("env-variables", "config-files")),
            "verbs": ["get", "patch", "update"],
        },
    ]
    if secrets:
        rules.append(
            {
                "group": "",
                "resources": ["secrets"],
                "names": sorted(secrets),
                "verbs": ["get", "patch", "update"],
            }
        )
    shared.add(Meta("Role", "developer", namespace, labels, annotations), "role.yaml.j2", rules=rules)
    shared.add(
        Meta("RoleBinding", "developer", namespace, labels, annotations),
        "rolebinding.yaml.j2",
        groups=application.developers,
    )
    shared.add(Meta("ServiceAccount", "devops", namespace, labels, annotations), "serviceaccount.yaml.j2")


def _delivery(model: Model, gitops: GitOps, templates: Templates) -> list[OutputFile]:
    """Flux Kustomizations per cluster (one path bootstraps a cluster), Argo CD Applications."""
    files: list[OutputFile] = []
    clusters = sorted({e.environment.cluster_name for e in model.environments})
    for cluster in clusters:
        flux = _Folder(f"{DELIVERY_FOLDER}/flux/{cluster}", templates)
        for app_env in (e for e in model.environments if e.environment.cluster_name == cluster):
            _flux(flux, gitops, model, app_env)
        files.extend(flux.files())
    argocd = _Folder(f"{DELIVERY_FOLDER}/argocd", templates)
    for app_env in model.environments:
        _argocd(argocd, gitops, model, app_env)
    files.extend(argocd.files())
    return files


def _delivery_meta(
    model: Model, app_env: ApplicationEnvironment, kind: str, name: str, namespace: str, **annotations: str
) -> Meta:
    labels = _application_labels(model.customer, app_env.application)
    return Meta(
        kind,
        name,
        namespace,
        labels,
        {**_application_annotations(model.customer, app_env.application), **annotations},
    )


def _flux(folder: _Folder, gitops: GitOps, model: Model, app_env: ApplicationEnvironment) -> None:
    app = app_env.application.name
    namespace = gitops.flux_source_namespace
    shared = _delivery_meta(model, app_env, "Kustomization", f"{app}-shared", namespace)
    if not any(f.path.endswith(f"/{shared.file_name}") for f in folder.rendered):
        folder.add(
            shared,
            "flux-kustomization.yaml.j2",
            gitops=gitops,
            path=f"./{gitops.path}/{app}/{SHARED_FOLDER}",
            depends_on=None,
        )
    meta = _delivery_meta(model, app_env, "Kustomization", f"{app}-{app_env.environment.lower}", namespace)
    path = f"./{gitops.path}/{app}/{app_env.environment.lower}"
    folder.add(meta, "flux-kustomization.yaml.j2", gitops=gitops, path=path, depends_on=shared.name)


def _argocd(folder: _Folder, gitops: GitOps, model: Model, app_env: ApplicationEnvironment) -> None:
    app, environment = app_env.application.name, app_env.environment
    namespace = gitops.argocd_namespace
    name = f"{app}-shared-{environment.cluster_name}"
    shared = _delivery_meta(
        model, app_env, "Application", name, namespace, **{"argocd.argoproj.io/sync-wave": "-1"}
    )
    if not any(f.path.endswith(f"/{shared.file_name}") for f in folder.rendered):
        path = f"{gitops.path}/{app}/{SHARED_FOLDER}"
        folder.add(shared, "argocd-application.yaml.j2", gitops=gitops, path=path, environment=environment)
    meta = _delivery_meta(model, app_env, "Application", f"{app}-{environment.lower}", namespace)
    path = f"{gitops.path}/{app}/{environment.lower}"
    folder.add(meta, "argocd-application.yaml.j2", gitops=gitops, path=path, environment=environment)


def _split_files(ms: Microservice) -> tuple[dict[str, str], dict[str, str]]:
    """UTF-8 files go to ``data``, others (base64) to ``binaryData``."""
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for config in ms.files:
        try:
            text[config.name] = config.content.decode("utf-8")
        except UnicodeDecodeError:
            binary[config.name] = base64.b64encode(config.content).decode("ascii")
    return text, binary


def _public(folder: _Folder, app_env: ApplicationEnvironment, ms: Microservice, service: str) -> None:
    folder.add(_ms_meta(app_env, ms, "NetworkPolicy", "-ingress"), "networkpolicy-ingress.yaml.j2")
    for tenant in app_env.tenants:
        if tenant.hosts:
            folder.add(
                _ingress_meta(app_env, ms, tenant),
                "ingress.yaml.j2",
                ms=ms,
                tenant=tenant,
                service=service,
                ingress_class=app_env.environment.ingress_class,
            )


def _ingress_meta(app_env: ApplicationEnvironment, ms: Microservice, tenant: Tenant) -> Meta:
    annotations = {
        "cert-manager.io/cluster-issuer": app_env.environment.cluster_issuer,
        "aigonix.io/customer-tenant-id": tenant.id,
        "aigonix.io/customer-tenant-alias": tenant.alias,
    }
    return _ms_meta(app_env, ms, "Ingress", f"-{tenant.id[:7].lower()}", annotations=annotations)


def iter_paths(rendering: Rendering) -> Iterator[str]:
    yield from (f.path for f in rendering.files)
    yield from (s.path for s in rendering.secrets)
