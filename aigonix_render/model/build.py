"""Stage 3, model: validated documents → immutable, merged application environments.

Built only from a tree that validated without errors, so it trusts shapes and types.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aigonix_render.foundation import GATEWAY, INGRESS_NGINX, names, platform
from aigonix_render.load import (
    ApplicationFolder,
    ConfigFile,
    MicroserviceFolder,
    Tree,
    deployed_environments,
    effective_files,
    effective_resources,
    merged_document,
    tenant_pairs,
)

CONSENT_NAMESPACE = uuid.UUID("6a1e2c4f-5b3d-4e8a-9c7f-0d2b4a6e8f10")


Resources = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class Gateway:
    """The Gateway API Gateway an environment's HTTPRoutes attach to, and where its proxy
    pods run (the NetworkPolicy of a public head admits them)."""

    name: str
    namespace: str
    section_name: str | None
    proxy_namespace: str
    proxy_labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Environment:
    name: str
    production: bool
    recipients: tuple[tuple[str, tuple[str, ...]], ...]
    ingress_class: str
    cluster_issuer: str
    cluster_name: str = "in-cluster"
    cluster_server: str | None = None
    routes: str = INGRESS_NGINX
    gateway: Gateway | None = None

    @property
    def lower(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class GitOps:
    """Where the rendered output lives in git, for the Flux and Argo CD delivery objects."""

    repo_url: str
    revision: str
    path: str
    flux_source_kind: str
    flux_source_name: str
    flux_source_namespace: str
    flux_decryption_secret: str
    argocd_project: str
    argocd_namespace: str


@dataclass(frozen=True)
class Customer:
    name: str
    id: str
    environments: tuple[Environment, ...]
    registry_server: str | None
    registry_credentials: str | None
    gitops: GitOps | None = None
    labelled_pods: bool = False

    @property
    def label(self) -> str:
        """The ``tenant`` label: the customer name with spaces as underscores."""
        return names.customer_label(self.name)


@dataclass(frozen=True)
class Host:
    host: str
    secret_name: str | None

    @property
    def tls_secret(self) -> str:
        return names.tls_secret(self.host, self.secret_name)


@dataclass(frozen=True)
class Tenant:
    id: str
    alias: str
    hosts: tuple[Host, ...]


@dataclass(frozen=True)
class Probe:
    kind: str
    path: str
    port: int | None
    initial_delay_seconds: int | None
    period_seconds: int | None


@dataclass(frozen=True)
class LegacyDatabases:
    """The one tenant and database prefix of a Runtime made before platform-api v2.8.0, and
    the alias of the customer tenant whose hosts reach it as that tenant (None: every
    customer tenant's hosts route to it as themselves)."""

    tenant: str
    prefix: str
    customer_tenant: str | None = None


@dataclass(frozen=True)
class Runtime:
    image: str
    public_streams: tuple[str, ...]
    resources: Resources = ()
    legacy: LegacyDatabases | None = None


@dataclass(frozen=True)
class Microservice:
    """One microservice as it is in one environment, overrides merged."""

    name: str
    id: str
    folder: str
    image: str
    port: int
    command: tuple[str, ...]
    args: tuple[str, ...]
    resources: Resources
    probes: tuple[Probe, ...]
    ingress_path: str | None
    ingress_path_type: str
    replicas: int
    env: tuple[tuple[str, str], ...]
    secrets: tuple[str, ...]
    secrets_file: str | None
    files: tuple[ConfigFile, ...]
    runtime: Runtime | None = None
    m3_connector: bool = False

    @property
    def lower(self) -> str:
        return self.name.lower()

    def route_tenant(self, tenant: Tenant) -> str | None:
        """The tenant a route from ``tenant``'s hosts names in its header: the host's own.
        A Runtime that keeps its pre-v2.8.0 databases knows one tenant only; the hosts of
        the customer tenant chosen for it send that tenant (as the platform's v2.7.0 Ingress
        did), and no other tenant's hosts route to it (None)."""
        legacy = self.runtime.legacy if self.runtime else None
        if legacy is None or legacy.customer_tenant is None:
            return tenant.id
        return legacy.tenant if tenant.alias.lower() == legacy.customer_tenant.lower() else None


@dataclass(frozen=True)
class EventStore:
    image: str
    size: str
    class_name: str
    backup_schedule: str | None
    backup_claim: str | None
    backup_share_secret: str | None = None
    always: bool = False

    @property
    def backup(self) -> bool:
        return bool(self.backup_claim or self.backup_share_secret)


@dataclass(frozen=True)
class Application:
    name: str
    id: str
    folder: str
    environments: tuple[str, ...]
    event_store: EventStore
    developers: tuple[str, ...] = ()

    @property
    def namespace(self) -> str:
        return names.namespace(self.id)


@dataclass(frozen=True)
class ApplicationEnvironment:
    customer: Customer
    application: Application
    environment: Environment
    tenants: tuple[Tenant, ...]
    microservices: tuple[Microservice, ...]

    @property
    def has_event_store(self) -> bool:
        """Where a microservice runs the Runtime, or everywhere when the application keeps
        the event store the platform made for every environment (application/k8s/do.go)."""
        return self.application.event_store.always or any(ms.runtime for ms in self.microservices)


@dataclass(frozen=True)
class Party:
    """One side of an event horizon: a microservice of an application."""

    application: Application
    id: str
    name: str

    @property
    def lower(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Subscription:
    """A consumer reading a producer's public stream in one environment, tenant by tenant."""

    environment: str
    consumer: Party
    producer: Party
    stream: str
    partition: str
    scope: str
    tenants: tuple[tuple[str, str], ...]

    def consent(self, consumer_tenant: str, producer_tenant: str) -> str:
        """A deterministic consent id, so renders stay byte-identical."""
        parts = (
            self.consumer.id,
            consumer_tenant,
            self.producer.id,
            producer_tenant,
            self.stream,
            self.partition,
        )
        return str(uuid.uuid5(CONSENT_NAMESPACE, "/".join(p.lower() for p in parts)))


@dataclass(frozen=True)
class Model:
    customer: Customer
    applications: tuple[Application, ...]
    environments: tuple[ApplicationEnvironment, ...]
    subscriptions: tuple[Subscription, ...] = ()


def build_model(tree: Tree) -> Model:
    assert tree.customer is not None, "the model is built from a valid tree only"
    customer = _customer(tree.customer.data)
    by_name = {env.name: env for env in customer.environments}
    applications = []
    environments = []
    for folder in sorted(tree.applications, key=lambda a: a.document.data["name"]):
        application = _application(folder)
        applications.append(application)
        for env_name in application.environments:
            environments.append(_app_environment(customer, application, by_name[env_name], folder))
    subscriptions = tuple(sorted(_subscriptions(tree, environments), key=_subscription_order))
    return Model(customer, tuple(applications), tuple(environments), subscriptions)


def _subscription_order(s: Subscription) -> tuple[str, ...]:
    return (s.environment, s.consumer.id, s.producer.id, s.stream, s.partition, s.scope)


def _subscriptions(tree: Tree, environments: list[ApplicationEnvironment]) -> Iterator[Subscription]:
    """Every event horizon of every deployed consumer, resolved to ids and tenant pairs."""
    by_app = {(e.application.name, e.environment.name): e for e in environments}
    for app_env in environments:
        folder = next(a for a in tree.applications if a.document.data["name"] == app_env.application.name)
        for ms_folder in folder.microservices:
            data = merged_document(ms_folder.document.data, app_env.environment.name)
            if not any(m.id == data["id"] for m in app_env.microservices):
                continue
            consumer = Party(app_env.application, data["id"], data["name"])
            for entry in data.get("eventHorizons") or []:
                producer_env = by_app[(entry["producer"]["application"], app_env.environment.name)]
                yield _subscription(app_env, producer_env, consumer, entry)


def _subscription(
    consumer_env: ApplicationEnvironment,
    producer_env: ApplicationEnvironment,
    consumer: Party,
    entry: Mapping[str, Any],
) -> Subscription:
    name = entry["producer"]["microservice"].lower()
    producer_ms = next(m for m in producer_env.microservices if m.lower == name)
    producer = Party(producer_env.application, producer_ms.id, producer_ms.name)
    pairs = tenant_pairs(consumer_env.tenants, producer_env.tenants, entry.get("tenants"))
    tenants = tuple(sorted((c.id, p.id) for c, p in pairs if p is not None))
    return Subscription(
        consumer_env.environment.name,
        consumer,
        producer,
        entry["stream"],
        entry["partition"],
        entry["scope"],
        tenants,
    )


def _customer(data: Mapping[str, Any]) -> Customer:
    registry = data.get("registry") or {}
    return Customer(
        name=data["name"],
        id=data["id"],
        environments=tuple(_environment_of(n, e) for n, e in sorted(data["environments"].items())),
        registry_server=registry.get("server"),
        registry_credentials=registry.get("credentials"),
        gitops=_gitops(data.get("gitops")),
        labelled_pods=bool((data.get("podTemplates") or {}).get("recommendedLabels", False)),
    )


def _gitops(data: Mapping[str, Any] | None) -> GitOps | None:
    if data is None:
        return None
    flux = data.get("flux") or {}
    source = flux.get("sourceRef") or {}
    argocd = data.get("argocd") or {}
    return GitOps(
        repo_url=data["repoURL"],
        revision=data.get("revision", "main"),
        path=data["path"].strip("/"),
        flux_source_kind=source.get("kind", "GitRepository"),
        flux_source_name=source.get("name", "flux-system"),
        flux_source_namespace=source.get("namespace", "flux-system"),
        flux_decryption_secret=flux.get("decryptionSecret", "sops-age"),
        argocd_project=argocd.get("project", "default"),
        argocd_namespace=argocd.get("namespace", "argocd"),
    )


def _environment_of(name: str, data: Mapping[str, Any]) -> Environment:
    ingress = data.get("ingress") or {}
    cluster = data.get("cluster") or {}
    routes = data.get("routes") or {}
    return Environment(
        name=name,
        production=bool(data.get("production", platform.is_production(name))),
        recipients=tuple((k, tuple(v)) for k, v in sorted(data["recipients"].items())),
        ingress_class=ingress.get("className", platform.DEFAULT_INGRESS_CLASS),
        cluster_issuer=ingress.get("clusterIssuer", platform.DEFAULT_CLUSTER_ISSUER),
        cluster_name=cluster.get("name", "in-cluster"),
        cluster_server=cluster.get("server"),
        routes=routes.get("kind", INGRESS_NGINX),
        gateway=_gateway(routes["gateway"]) if routes.get("kind") == GATEWAY else None,
    )


def _gateway(data: Mapping[str, Any]) -> Gateway:
    proxies = data.get("dataPlane") or {}
    return Gateway(
        name=data["name"],
        namespace=data["namespace"],
        section_name=data.get("sectionName"),
        proxy_namespace=proxies.get("namespace", data["namespace"]),
        proxy_labels=tuple(sorted((proxies.get("podLabels") or {}).items())),
    )


def _application(folder: ApplicationFolder) -> Application:
    data = folder.document.data
    developers = tuple(sorted((data.get("developers") or {}).get("groups", [])))
    environments = tuple(sorted(data["environments"]))
    return Application(data["name"], data["id"], folder.folder, environments, _event_store(data), developers)


def _event_store(data: Mapping[str, Any]) -> EventStore:
    store = data.get("eventStore") or {}
    storage = store.get("storage") or {}
    backup = store.get("backup") or {}
    share = backup.get("azureFileShare")
    return EventStore(
        image=store.get("image", platform.DEFAULT_EVENT_STORE_IMAGE),
        size=str(storage.get("size", platform.DEFAULT_EVENT_STORE_SIZE)),
        class_name=storage.get("className", platform.DEFAULT_EVENT_STORE_CLASS),
        backup_schedule=backup.get("schedule"),
        backup_claim=backup.get("claimName"),
        backup_share_secret=share.get("secretName", names.BACKUP_STORAGE_SECRET)
        if share is not None
        else None,
        always=bool(store.get("always", False)),
    )


def _app_environment(
    customer: Customer,
    application: Application,
    environment: Environment,
    folder: ApplicationFolder,
) -> ApplicationEnvironment:
    env_data = folder.document.data["environments"][environment.name]
    tenants = tuple(_tenant(t) for t in env_data["tenants"])
    declared = {e.name for e in customer.environments}
    deployed = (
        effective_microservice(ms, environment, application.name)
        for ms in folder.microservices
        if environment.name in deployed_environments(folder.document.data, ms.document.data, declared)
    )
    microservices = tuple(sorted(deployed, key=lambda m: m.lower))
    return ApplicationEnvironment(customer, application, environment, tenants, microservices)


def _tenant(data: Mapping[str, Any]) -> Tenant:
    hosts = tuple(Host(h["host"], h.get("secretName")) for h in data.get("hosts", []))
    return Tenant(data["id"], data["alias"], hosts)


def effective_microservice(
    folder: MicroserviceFolder, environment: Environment, application: str
) -> Microservice:
    raw = folder.document.data
    data = merged_document(raw, environment.name)
    head = data["head"]
    ingress = data.get("ingress")
    defaults = platform.default_resources(environment.production)
    secrets = tuple(sorted(data.get("secrets") or ()))
    return Microservice(
        name=data["name"],
        id=data["id"],
        folder=folder.folder,
        image=head["image"],
        port=head.get("port", platform.DEFAULT_HEAD_PORT),
        command=tuple(head.get("command") or ()),
        args=tuple(head.get("args") or ()),
        resources=_resources(effective_resources(raw, environment.name, "head", defaults)),
        probes=tuple(_probe(k, v) for k, v in sorted((head.get("probes") or {}).items())),
        ingress_path=ingress["path"] if ingress else None,
        ingress_path_type=(ingress or {}).get("pathType", "Prefix"),
        replicas=data.get("replicas", platform.DEFAULT_REPLICAS),
        env=tuple(sorted((data.get("env") or {}).items())),
        secrets=secrets,
        secrets_file=_secrets_file(folder, environment.name) if secrets else None,
        files=effective_files(folder, environment.name),
        runtime=_runtime(raw, data, environment, application),
        m3_connector=bool((data.get("connections") or {}).get("m3Connector", False)),
    )


def _resources(merged: Mapping[str, Any]) -> Resources:
    """Sorted, quantities as text, kinds a ``null`` emptied left out."""
    return tuple(
        (kind, tuple((k, str(v)) for k, v in sorted(values.items())))
        for kind, values in sorted(merged.items())
        if values
    )


def _runtime(
    raw: Mapping[str, Any], data: Mapping[str, Any], environment: Environment, application: str
) -> Runtime | None:
    runtime = data.get("runtime")
    if runtime is None:
        return None
    defaults = platform.default_resources(environment.production)
    legacy = runtime.get("legacyDatabases")
    return Runtime(
        runtime.get("image", platform.DEFAULT_RUNTIME_IMAGE),
        tuple(sorted(runtime.get("publicStreams") or ())),
        _resources(effective_resources(raw, environment.name, "runtime", defaults)),
        None if legacy is None else _legacy(legacy, application, environment.name, data["name"]),
    )


def _legacy(
    data: Mapping[str, Any], application: str, environment: str, microservice: str
) -> LegacyDatabases:
    prefix = data.get("prefix") or names.legacy_database_prefix(application, environment, microservice)
    return LegacyDatabases(data.get("tenant", platform.LEGACY_TENANT), prefix, data.get("customerTenant"))


def _probe(kind: str, data: Mapping[str, Any]) -> Probe:
    return Probe(
        kind,
        data["path"],
        data.get("port"),
        data.get("initialDelaySeconds"),
        data.get("periodSeconds"),
    )


def _secrets_file(folder: MicroserviceFolder, environment: str) -> str | None:
    document = folder.secrets.get(environment)
    return document.path if document else None


def find_application(model: Model, name: str) -> Application | None:
    return next((a for a in model.applications if a.name == name), None)


def find_environment(model: Model, application: Application, name: str) -> ApplicationEnvironment | None:
    """An application's environment by name, in any case (``prod`` finds ``Prod``)."""
    return next(
        (
            e
            for e in model.environments
            if e.application == application and e.environment.name.lower() == name.lower()
        ),
        None,
    )
