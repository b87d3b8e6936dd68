"""The model's values: the records (``foundation.record``) render reads, and the constants they need.

A customer with its environments and GitOps target, its applications with their event
stores, each application environment with its tenants and microservices (Runtime, probes,
legacy databases), and the event-horizon subscriptions between microservices.
"""

from __future__ import annotations

import uuid

from aigonix_render.foundation import GATEWAY, INGRESS_NGINX, names, record
from aigonix_render.load import ConfigFile
from aigonix_render.model.route_values import Host, Route

CONSENT_NAMESPACE = uuid.UUID("6a1e2c4f-5b3d-4e8a-9c7f-0d2b4a6e8f10")


Resources = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@record
class Gateway:
    """The Gateway API Gateway an environment's HTTPRoutes attach to, and where its proxy
    pods run (the NetworkPolicy of a public head admits them)."""

    name: str
    namespace: str
    section_name: str | None
    """The listener the routes attach to (``httpsListener``, or ``sectionName``)."""
    proxy_namespace: str
    proxy_labels: tuple[tuple[str, str], ...]
    http_listener: str | None = None
    """The plain-HTTP listener, where each route's twin redirects to HTTPS."""


@record
class Environment:
    """One of the customer's environments: its recipients, cluster and kind of routes."""

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

    @property
    def ingresses(self) -> bool:
        """Public microservices get ingress-nginx Ingresses (kind ingress-nginx or both)."""
        return self.routes != GATEWAY

    @property
    def http_routes(self) -> bool:
        """Public microservices get HTTPRoutes on ``gateway`` (kind gateway or both)."""
        return self.routes != INGRESS_NGINX and self.gateway is not None


@record
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
    argocd_plugin: bool = False
    """Argo CD Applications run the aigonix-render plugin on the tree at ``tree_path``
    instead of syncing the rendered (SOPS-encrypted) folders."""
    tree_path: str = "."


@record
class Customer:
    """The customer: its environments, container registry and where the rendered output lives."""

    name: str
    id: str
    environments: tuple[Environment, ...]
    registry_server: str | None
    registry_credentials: str | None
    gitops: GitOps | None = None
    labelled_pods: bool = False
    registry_key_order: str = "sorted"
    """``platform``: the acr Secret's ``.dockerconfigjson`` in Go's field order."""
    exact_adoption: bool = False
    """``adoption.exact``: no ``app.kubernetes.io`` labels, fingerprints beside the Secrets."""

    @property
    def label(self) -> str:
        """The ``tenant`` label: the customer name with spaces as underscores."""
        return names.customer_label(self.name)


@record
class Tenant:
    id: str
    alias: str
    hosts: tuple[Host, ...]


@record
class Probe:
    """One of a microservice's probes; ``kind`` is its key under ``probes`` (e.g. ``liveness``)."""

    kind: str
    path: str
    port: int | None
    initial_delay_seconds: int | None
    period_seconds: int | None


@record
class LegacyDatabases:
    """The one tenant and database prefix of a Runtime made before platform-api v2.8.0, and
    the alias of the customer tenant whose hosts reach it as that tenant (None: no customer
    tenant's hosts do, but that tenant's own; ``model.routes``)."""

    tenant: str
    prefix: str
    customer_tenant: str | None = None


@record
class Runtime:
    """``backwards_compatibility`` (``V6``, ``V7``, ``none``) and ``management_endpoint`` as
    the tree states them; None where it does not (the image's version decides)."""

    image: str
    public_streams: tuple[str, ...]
    resources: Resources = ()
    legacy: LegacyDatabases | None = None
    backwards_compatibility: str | None = None
    management_endpoint: bool | None = None


@record
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
    target_port_by_name: bool = False
    """The Service's port http targets the container port by its name (platform-api v2.7.0)."""
    routes: tuple[Route, ...] = ()
    """Its routes of their own (``ingress.routes``), beside the customer tenants'."""
    customer_name: str | None = None
    """platform.json's ``customerName`` where the tree gives one (``platformJson``)."""

    @property
    def lower(self) -> str:
        return self.name.lower()


@record
class EventStore:
    """The application's event store (MongoDB) and its backups."""

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


@record
class Application:
    """One application: its environments, event store and developers' Role."""

    name: str
    id: str
    folder: str
    environments: tuple[str, ...]
    event_store: EventStore
    developers: tuple[str, ...] = ()
    role_order: tuple[str, ...] = ()
    """``<Env>/<microservice>`` whose edit rules the Role ``developer`` lists first, in this order."""
    role_without: frozenset[str] = frozenset()
    """``<Env>/<microservice>`` the Role ``developer`` gives no edit rules (``developerRole``)."""
    storage_account: str | None = None
    """The sealed file (``storage-account.yaml``) of ``storage-account-secret``, if the tree has one."""

    @property
    def namespace(self) -> str:
        return names.namespace(self.id)


@record
class ApplicationEnvironment:
    """One application in one environment, with its tenants and microservices there."""

    customer: Customer
    application: Application
    environment: Environment
    tenants: tuple[Tenant, ...]
    microservices: tuple[Microservice, ...]
    kafka_files: str | None = None
    """The sealed file (``environments/<Env>/kafka-files.yaml``) of ``<env>-kafka-files``, if any."""

    @property
    def has_event_store(self) -> bool:
        """Where a microservice runs the Runtime, or everywhere when the application keeps
        the event store the platform made for every environment (application/k8s/do.go)."""
        return self.application.event_store.always or any(ms.runtime for ms in self.microservices)


@record
class Party:
    """One side of an event horizon: a microservice of an application."""

    application: Application
    id: str
    name: str

    @property
    def lower(self) -> str:
        return self.name.lower()


@record
class Subscription:
    """A consumer in ``environment`` reading a producer's public stream, tenant by tenant;
    the producer runs in ``producer_environment`` (the consumer's unless the tree says)."""

    environment: str
    producer_environment: str
    consumer: Party
    producer: Party
    stream: str
    partition: str
    scope: str
    tenants: tuple[tuple[str, str], ...]
    consents: tuple[tuple[str, str], ...] = ()
    """The consent id the tree states for a consumer tenant id (the platform's, imported)."""
    ranks: tuple[tuple[str, int], ...] = ()
    """The place in the platform's order the tree states for a consumer tenant id (``order``)."""

    def rank(self, consumer_tenant: str) -> int | None:
        return dict(self.ranks).get(consumer_tenant)

    def consent(self, consumer_tenant: str, producer_tenant: str) -> str:
        """The tree's consent id for ``consumer_tenant``, else a deterministic one, so
        renders stay byte-identical."""
        stated = dict(self.consents).get(consumer_tenant)
        if stated is not None:
            return stated
        parts = (
            self.consumer.id,
            consumer_tenant,
            self.producer.id,
            producer_tenant,
            self.stream,
            self.partition,
        )
        return str(uuid.uuid5(CONSENT_NAMESPACE, "/".join(p.lower() for p in parts)))


@record
class Model:
    """What render reads: the customer, applications, their environments, subscriptions."""

    customer: Customer
    applications: tuple[Application, ...]
    environments: tuple[ApplicationEnvironment, ...]
    subscriptions: tuple[Subscription, ...] = ()
