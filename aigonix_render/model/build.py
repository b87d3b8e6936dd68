"""Building the model: a validated tree → the customer, its applications, their
environments (tenants and microservices) and the subscriptions between microservices.

Built only from a tree that validated without errors, so it trusts shapes and types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.foundation import GATEWAY, INGRESS_NGINX, names, platform
from aigonix_render.load import (
    ApplicationFolder,
    Tree,
    deployed_environments,
    merged_document,
    tenant_pairs,
)
from aigonix_render.model.microservice import effective_microservice
from aigonix_render.model.route_values import Host
from aigonix_render.model.values import (
    Application,
    ApplicationEnvironment,
    Customer,
    Environment,
    EventStore,
    Gateway,
    GitOps,
    Model,
    Party,
    Subscription,
    Tenant,
)


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
    return (
        s.environment,
        s.consumer.id,
        s.producer.id,
        s.stream,
        s.partition,
        s.scope,
        s.producer_environment,
    )


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
                producer = entry["producer"]
                where = producer.get("environment", app_env.environment.name)
                yield _subscription(app_env, by_app[(producer["application"], where)], consumer, entry)


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
        producer_env.environment.name,
        consumer,
        producer,
        entry["stream"],
        entry["partition"],
        entry["scope"],
        tenants,
        _by_tenant(consumer_env, entry.get("consents")),
        _by_tenant(consumer_env, entry.get("order")),
    )


def _by_tenant(consumer_env: ApplicationEnvironment, stated: Mapping[str, Any] | None) -> tuple[Any, ...]:
    """``consents`` or ``order`` of the consumer's environment: (consumer tenant id, value)."""
    here = (stated or {}).get(consumer_env.environment.name) or {}
    by_alias = {t.alias.lower(): t.id for t in consumer_env.tenants}
    return tuple(sorted((by_alias[alias.lower()], value) for alias, value in here.items()))


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
        registry_key_order=registry.get("keyOrder", "sorted"),
        exact_adoption=bool((data.get("adoption") or {}).get("exact", False)),
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
        argocd_plugin=argocd.get("source", "rendered" if "flux" in data or "argocd" not in data else "plugin")
        == "plugin",
        tree_path=argocd.get("treePath", ".").strip("/") or ".",
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
        gateway=_gateway(routes["gateway"])
        if routes.get("kind") in (GATEWAY, platform.BOTH_ROUTES)
        else None,
    )


def _gateway(data: Mapping[str, Any]) -> Gateway:
    proxies = data.get("dataPlane") or {}
    return Gateway(
        name=data["name"],
        namespace=data["namespace"],
        section_name=data.get("httpsListener", data.get("sectionName")),
        proxy_namespace=proxies.get("namespace", data["namespace"]),
        proxy_labels=tuple(sorted((proxies.get("podLabels") or {}).items())),
        http_listener=data.get("httpListener"),
    )


def _application(folder: ApplicationFolder) -> Application:
    data = folder.document.data
    developers = tuple(sorted((data.get("developers") or {}).get("groups", [])))
    environments = tuple(sorted(data["environments"]))
    role = data.get("developerRole") or {}
    return Application(
        data["name"],
        data["id"],
        folder.folder,
        environments,
        _event_store(data),
        developers,
        tuple(role.get("order", ())),
        frozenset(role.get("without", ())),
        folder.storage_account.path if folder.storage_account is not None else None,
    )


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
    kafka_files = folder.kafka_files.get(environment.name)
    return ApplicationEnvironment(
        customer, application, environment, tenants, microservices, kafka_files.path if kafka_files else None
    )


def _tenant(data: Mapping[str, Any]) -> Tenant:
    hosts = tuple(Host(h["host"], h.get("secretName")) for h in data.get("hosts", []))
    return Tenant(data["id"], data["alias"], hosts)
