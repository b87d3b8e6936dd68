"""Stage 2 of an import: which objects of the dump the platform made, and whose they are.

An application is a namespace ``application-<id>`` whose objects carry the platform's
``dolittle.io`` annotations. Each object is recognised by its kind and the name the
platform gave it (``names``): a microservice's (``<env>-<ms>...``, labels ``environment``
and ``microservice``, annotation ``dolittle.io/microservice-id``), an environment's
(``<env>-tenants``, ``<env>-mongo``...) or the application's (``acr``, RBAC). Objects
Kubernetes or cert-manager put in every namespace are noted and left; anything else is
an object the platform never made, reported and left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import field

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.foundation import names, record

TENANT_ID = "dolittle.io/tenant-id"
APPLICATION_ID = "dolittle.io/application-id"
MICROSERVICE_ID = "dolittle.io/microservice-id"
MICROSERVICE_KIND = "dolittle.io/microservice-kind"
SIMPLE = "simple"
# The RoleBinding a platform running without IS_PRODUCTION added for the user local-dev
# (pkg/platform/application/k8s/do.go).
LOCAL_DEV_BINDING = "developer-local-dev"


@record
class MicroserviceObjects:
    """One microservice in one environment: its objects by part, and its Ingresses."""

    id: str
    name: str
    environment: str
    kind: str
    parts: dict[str, KubeObject] = field(default_factory=dict)
    routes: list[KubeObject] = field(default_factory=list)


@record
class ApplicationObjects:
    namespace: str
    id: str
    name: str
    customer_id: str
    customer_label: str
    shared: dict[str, KubeObject] = field(default_factory=dict)
    environments: dict[str, dict[str, KubeObject]] = field(default_factory=dict)
    microservices: dict[tuple[str, str], MicroserviceObjects] = field(default_factory=dict)
    platform: list[KubeObject] = field(default_factory=list)
    carrier: KubeObject | None = None  # the object whose labels name the application
    kafka_files: dict[str, KubeObject] = field(default_factory=dict)
    """The M3 connector's ``<env>-kafka-files`` ConfigMaps, by name (``build`` finds their environments)."""


@record
class Recognised:
    applications: tuple[ApplicationObjects, ...]
    report: tuple[report.ReportLine, ...]

    @property
    def customer_id(self) -> str:
        return self.applications[0].customer_id

    @property
    def customer_label(self) -> str:
        return self.applications[0].customer_label


def recognise(objects: list[KubeObject]) -> Recognised:
    namespaces = {o.name: o for o in objects if o.kind == "Namespace"}
    wanted = sorted({o.namespace for o in objects if o.namespace}) or sorted(
        n for n, o in namespaces.items() if APPLICATION_ID in o.annotations
    )
    if not wanted:
        raise DumpError("not an Aigonix application namespace: the dump has no namespaced objects")
    applications = [_application(ns, namespaces.get(ns), objects) for ns in wanted]
    customers = sorted({a.customer_id for a in applications})
    if len(customers) > 1:
        raise DumpError(f"the dump holds applications of several customers ({', '.join(customers)})")
    lines = list(_other_namespaces(namespaces, wanted))
    for application in applications:
        ns = application.namespace
        own = [o for o in objects if o.namespace == ns or (o.kind == "Namespace" and o.name == ns)]
        lines += _sort(application, own)
    return Recognised(tuple(applications), tuple(lines))


def _application(namespace: str, obj: KubeObject | None, objects: list[KubeObject]) -> ApplicationObjects:
    """Ids and names from the Namespace (pkg/platform/application/k8s/resources.go:
    NewNamespace), else from the first object of the namespace that carries them."""
    carriers = [obj] if obj is not None else []
    carriers += [o for o in objects if o.namespace == namespace]
    carrier = next((o for o in carriers if APPLICATION_ID in o.annotations), None)
    if carrier is None:
        raise DumpError(
            f"{namespace} is not an Aigonix application namespace: "
            f"no object in it carries the {APPLICATION_ID} annotation"
        )
    app_id = carrier.annotations[APPLICATION_ID]
    if namespace != names.namespace(app_id):
        raise DumpError(
            f"{namespace} is not an Aigonix application namespace: "
            f"the platform named the namespace of application {app_id} {names.namespace(app_id)}"
        )
    labels, annotations = carrier.labels, carrier.annotations
    missing = [f"label {k}" for k in ("application", "tenant") if k not in labels]
    missing += [f"annotation {k}" for k in (TENANT_ID,) if k not in annotations]
    if missing:
        raise DumpError(f"{carrier.ref} in {namespace} has no {', '.join(missing)}: not made by the platform")
    return ApplicationObjects(
        namespace, app_id, labels["application"], annotations[TENANT_ID], labels["tenant"], carrier=carrier
    )


def _other_namespaces(namespaces: Mapping[str, KubeObject], wanted: list[str]) -> Iterator[report.ReportLine]:
    others = sorted(set(namespaces) - set(wanted))
    if others:
        yield report.note(
            "Namespace",
            f"{len(others)} other Namespaces left out: kubectl get namespace lists every namespace of the cluster",
        )


def _sort(application: ApplicationObjects, objects: list[KubeObject]) -> list[report.ReportLine]:
    """File each object of the namespace under its owner; the rest become report lines."""
    lines = []
    for obj in sorted(objects, key=lambda o: (o.kind, o.name)):
        line = _file(application, obj)
        if line is not None:
            lines.append(line)
        elif _ours(application, obj):
            application.platform.append(obj)
    return lines


def _ours(application: ApplicationObjects, obj: KubeObject) -> bool:
    """Compared with the render, unless it belongs to a microservice kind left out."""
    ms_id = obj.annotations.get(MICROSERVICE_ID)
    if ms_id is None:
        return True
    owner = application.microservices.get((obj.labels.get("environment", ""), ms_id))
    return owner is not None and owner.kind == SIMPLE


def _file(application: ApplicationObjects, obj: KubeObject) -> report.ReportLine | None:
    made_by = cluster_made(obj)
    if made_by:
        return report.note(obj.ref, f"left out: {made_by} made it, not the platform")
    if MICROSERVICE_ID in obj.annotations and _microservice_part(application, obj):
        return None
    if _environment_part(application, obj) or _shared_part(application, obj):
        return None
    if _kafka_files(application, obj):
        return None
    if obj.kind == "RoleBinding" and obj.name == LOCAL_DEV_BINDING:
        return report.warning(
            obj.ref, "left out: the tree has no access for the user local-dev (a non-production platform's)"
        )
    return report.warning(
        obj.ref, "left out: the platform never made such an object; the tree cannot hold it"
    )


def cluster_made(obj: KubeObject) -> str | None:
    """Who made ``obj`` when Kubernetes or cert-manager put it into every namespace (never
    the tree's: ``import`` leaves it out, ``diff --live`` never counts it)."""
    if obj.kind == "ConfigMap" and obj.name == "kube-root-ca.crt":
        return "Kubernetes (kube-controller-manager)"
    if obj.kind == "ServiceAccount" and obj.name == "default":
        return "Kubernetes (the service account controller)"
    secret_type = obj.body.get("type")
    if obj.kind == "Secret" and secret_type == "kubernetes.io/service-account-token":
        return "Kubernetes (a service account token)"
    if obj.kind == "Secret" and "cert-manager.io/certificate-name" in obj.annotations:
        return "cert-manager (the TLS certificate of a host)"
    return None


# Each part: the kind, the part's name here, and the name the platform gave it (names).
Parts = tuple[tuple[str, str, Callable[..., str]], ...]

_MICROSERVICE_PARTS: Parts = (
    ("Deployment", "deployment", names.workload),
    ("Service", "service", names.workload),
    ("ConfigMap", "dolittle", names.dolittle_config),
    ("ConfigMap", "env-variables", names.env_variables),
    ("ConfigMap", "config-files", names.config_files),
    ("Secret", "secret", names.secret_env_variables),
    ("NetworkPolicy", "ingress-policy", names.ingress_policy),
    ("NetworkPolicy", "event-horizons-policy", names.event_horizons_policy),
)
_ENVIRONMENT_PARTS: Parts = (
    ("ConfigMap", "tenants", names.tenants_config),
    ("NetworkPolicy", "policy", names.environment_policy),
    ("Service", "mongo-service", names.mongo),
    ("StatefulSet", "mongo", names.mongo),
    ("CronJob", "backup", names.mongo_backup),
)
_SHARED_PARTS: Parts = (
    ("Namespace", "namespace", names.namespace),
    ("Secret", "acr", lambda _: names.PULL_SECRET),
    ("Secret", "storage", lambda _: names.BACKUP_STORAGE_SECRET),
    ("Role", "role", lambda _: names.DEVELOPER_ROLE),
    ("RoleBinding", "developers", lambda _: names.DEVELOPER_ROLE),
    ("RoleBinding", "devops", lambda _: names.DEVOPS_ACCOUNT),
    ("ServiceAccount", "account", lambda _: names.DEVOPS_ACCOUNT),
)


def _matching(parts: Parts, obj: KubeObject, *name_parts: str) -> str | None:
    return next(
        (part for kind, part, name_of in parts if obj.kind == kind and obj.name == name_of(*name_parts)), None
    )


def _microservice_part(application: ApplicationObjects, obj: KubeObject) -> bool:
    env, ms = obj.labels.get("environment"), obj.labels.get("microservice")
    part = _part_of(obj, env, ms) if env and ms else None
    if part is None or env is None or ms is None:
        return False
    key = (env, obj.annotations[MICROSERVICE_ID])
    kind = obj.annotations.get(MICROSERVICE_KIND, SIMPLE)
    owner = application.microservices.setdefault(key, MicroserviceObjects(key[1], ms, env, kind))
    if part == "route":
        owner.routes.append(obj)
    else:
        owner.parts[part] = obj
    return True


def _part_of(obj: KubeObject, env: str, ms: str) -> str | None:
    """Ingresses are ``<env>-<ms>-<tenant>`` (pkg/platform/customertenant/ingress.go), or
    ``<env>-<ms>`` as platform-api v2.7.0 named its one Ingress."""
    if obj.kind == "Ingress" and (obj.name + "-").startswith(names.workload(env, ms) + "-"):
        return "route"
    return _matching(_MICROSERVICE_PARTS, obj, env, ms)


def _environment_part(application: ApplicationObjects, obj: KubeObject) -> bool:
    env = obj.labels.get("environment")
    part = _matching(_ENVIRONMENT_PARTS, obj, env) if env else None
    if part is None or env is None:
        return False
    application.environments.setdefault(env, {})[part] = obj
    return True


def _kafka_files(application: ApplicationObjects, obj: KubeObject) -> bool:
    """The M3 connector's ConfigMap (pkg/platform/microservice/m3connector/k8s/repo.go:
    UpsertKafkaFiles). Its ``environment`` label is the connector's spelling (lowercased,
    the first letter upper-cased), not necessarily the environment's, so it is filed by
    name, not under the label's environment."""
    env = obj.labels.get("environment")
    if obj.kind != "ConfigMap" or not env or obj.name != names.kafka_files(env):
        return False
    application.kafka_files[obj.name] = obj
    return True


def _shared_part(application: ApplicationObjects, obj: KubeObject) -> bool:
    part = _matching(_SHARED_PARTS, obj, application.id)
    if part is not None:
        application.shared[part] = obj
    return part is not None
