"""The Aigonix platform's fixed facts: ports, file lists, default images and resources.

One home for every number and file name the platform fixed, used by validation (a head
cannot listen on a Runtime port), by the model (defaults) and handed to the templates
(which never spell a port or a Dolittle file themselves).
"""

from __future__ import annotations

import re

from aigonix_render.foundation.records import record, replace

RUNTIME_PUBLIC_PORT = 50052
RUNTIME_PRIVATE_PORT = 50053
RUNTIME_MANAGEMENT_PORT = 51052
RUNTIME_METRICS_PORT = 9700
RUNTIME_PORTS = (RUNTIME_PUBLIC_PORT, RUNTIME_PRIVATE_PORT, RUNTIME_MANAGEMENT_PORT, RUNTIME_METRICS_PORT)
MONGO_PORT = 27017

DEFAULT_HEAD_PORT = 80
DEFAULT_REPLICAS = 1
DEFAULT_RUNTIME_IMAGE = "dolittle/runtime:9.3.3"
DEFAULT_EVENT_STORE_IMAGE = "dolittle/mongodb:4.2.2"
DEFAULT_EVENT_STORE_SIZE = "8Gi"
DEFAULT_EVENT_STORE_CLASS = "managed-premium"
# The production platform ran with IS_PRODUCTION and gave every environment, Dev included,
# this issuer (platform-api v4.13.0 cmd/api/server.go, pkg/dolittle/k8s/ingress.go).
DEFAULT_CLUSTER_ISSUER = "letsencrypt-production"
DEFAULT_INGRESS_CLASS = "nginx"
# The header the Dolittle .NET SDK reads the customer tenant from; every route sets it
# (DotNET.SDK Source/Extensions.AspNet/TenantScopedServiceProviderMiddleware.cs).
TENANT_HEADER = "Tenant-ID"
# Before platform-api v2.8.0 every Runtime's resources.json named this one tenant
# (v2.7.0 pkg/platform/microservice/k8s/doc.go: TodoCustomersTenantID).
LEGACY_TENANT = "17426336-fb8e-4425-8ab7-07d488367be9"
# The kinds of route an environment renders (Customer ``routes.kind``).
INGRESS_NGINX = "ingress-nginx"
GATEWAY = "gateway"
# Both kinds at once, while DNS moves from ingress-nginx to the Gateway (README "Routes").
BOTH_ROUTES = "both"
# Gateway API's match type of each Ingress pathType; ImplementationSpecific has none.
GATEWAY_PATH_TYPES = {"Prefix": "PathPrefix", "Exact": "Exact"}
# An HTTPRoute holds at most this many hostnames (HTTPRouteSpec.hostnames, maxItems).
GATEWAY_MAX_HOSTNAMES = 16

DOLITTLE_FOLDER = "/app/.dolittle"
TENANTS_FILE = "tenants.json"
APPSETTINGS_FILE = "appsettings.json"
# The files of the -dolittle ConfigMap each container mounts under DOLITTLE_FOLDER.
HEAD_DOLITTLE_FILES = ("resources.json", "clients.json", "event-horizons.json")
RUNTIME_DOLITTLE_FILES = (
    "resources.json",
    "endpoints.json",
    "event-horizon-consents.json",
    "microservices.json",
    "platform.json",
)
# The M3 connector's files on the head (platform-api v4.13.0
# pkg/platform/microservice/simple/k8s/resources.go: AddM3ConnectorToDeployment).
KAFKA_FOLDER = "/app/connection/kafka"
KAFKA_FILES = ("ca.pem", "certificate.pem", "accessKey.pem")
# The keys of the <env>-kafka-files ConfigMap: the files above and the connector's
# config.json (pkg/platform/microservice/m3connector/k8s/repo.go: UpsertKafkaFiles).
KAFKA_CONFIG = "config.json"
KAFKA_KEYS = tuple(sorted((*KAFKA_FILES, KAFKA_CONFIG)))
# The keys of storage-account-secret (pkg/platform/application/k8s/resources.go: NewStorage).
STORAGE_ACCOUNT_KEYS = ("azurestorageaccountkey", "azurestorageaccountname")
# The backup CronJob's mount (pkg/platform/application/k8s/resources.go: NewMongo).
BACKUP_FOLDER = "/mnt/backup/"
BACKUP_SUB_PATH = "mongo"


def is_production(environment: str) -> bool:
    """The platform's rule for the Prod defaults: the environment's name, in any case
    (platform-api v4.13.0 pkg/dolittle/k8s/deployment.go: getHeadResources)."""
    return environment.lower() == "prod"


def default_resources(production: bool) -> dict[str, dict[str, str]]:
    """The platform's resources of the head and, separately, of the Runtime: more CPU
    requested in production (deployment.go: getHeadResources, getRuntimeResources).

    The platform wrote the CPU limit as ``2000m``; client-go sends a quantity in its
    canonical form, so the cluster holds ``"2"``, and so do we: no diff on adoption."""
    return {
        "limits": {"cpu": "2", "memory": "1Gi"},
        "requests": {"cpu": "50m" if production else "25m", "memory": "256Mi"},
    }


def event_store_resources(production: bool) -> dict[str, dict[str, str]]:
    """``application/k8s/resources.go: getMongoResources``, the CPU limit canonical as above."""
    return {
        "limits": {"cpu": "2", "memory": "2Gi"},
        "requests": {"cpu": "100m" if production else "50m", "memory": "512Mi"},
    }


# --- the Runtime's versions -------------------------------------------------------------

_RUNTIME_IMAGE = re.compile(
    r"(?:[^@]+/)?dolittle/runtime:v?(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?:-[0-9A-Za-z.-]+)?(?:@.*)?"
)
# The Runtime versions aigonix-render knows the files of (5.0.0 up to the 9.x series).
PLACED_RUNTIMES = ((5, 0, 0), (10, 0, 0))
# The event store formats a Runtime 8.0.0 to 9.2.x reads event sources and partitions in
# (platform-api v4.13.0 pkg/dolittle/k8s/configmaps.go: BackwardsCompatibilityVersion), and
# the tree's word (``runtime.backwardsCompatibility``) for an appsettings.json without it.
BACKWARDS_COMPATIBILITY = ("V6", "V7")
NO_BACKWARDS_COMPATIBILITY = "none"


@record
class RuntimeShape:
    """What a Runtime version needs in its files.

    ``management``: ``endpoints.json`` lists the management endpoint; Runtimes before 7.1.0
    know only public and private (dolittle/Runtime Source/Services/EndpointVisibility.cs;
    the platform special-cased exactly ``dolittle/runtime:6.1.0``, simple/k8s/resources.go).
    ``backwards_compatibility``: ``appsettings.json`` sets the event store's version; from
    8.0.0 until 9.3.0 the Runtime refuses to start without it
    (EventSourceBackwardsCompatibilityMustBeConfigured; the platform special-cased exactly
    ``dolittle/runtime:8.0.0``, pkg/dolittle/k8s/configmaps.go: NewMicroserviceConfigmapV8_0_0).
    ``runtime_shape`` gives a version's default; ``chosen_shape`` what the tree states over it
    (a Runtime 8.x reading V6's format, a v2.7.0-made 6.1.0 with the management endpoint).
    """

    management: bool = True
    backwards_compatibility: str | None = None


def runtime_shape(image: str | None) -> RuntimeShape | None:
    """The files a Runtime image needs; None when its version cannot be told from the image
    (rendered with the default shape, and validation warns). No Runtime: the default."""
    if image is None:
        return RuntimeShape()
    match = _RUNTIME_IMAGE.fullmatch(image)
    if match is None:
        return None
    version = (int(match["major"]), int(match["minor"]), int(match["patch"]))
    if not PLACED_RUNTIMES[0] <= version < PLACED_RUNTIMES[1]:
        return None
    compatible = "V7" if (8, 0, 0) <= version < (9, 3, 0) else None
    return RuntimeShape(management=version >= (7, 1, 0), backwards_compatibility=compatible)


def chosen_shape(
    image: str | None, backwards_compatibility: str | None = None, management_endpoint: bool | None = None
) -> RuntimeShape:
    """The files a Runtime gets: what the tree states (``backwardsCompatibility``, ``none``
    for no section; ``managementEndpoint``) over its version's default, the default shape
    where the version cannot be told."""
    shape = runtime_shape(image) or RuntimeShape()
    if backwards_compatibility is not None:
        stated = None if backwards_compatibility == NO_BACKWARDS_COMPATIBILITY else backwards_compatibility
        shape = replace(shape, backwards_compatibility=stated)
    if management_endpoint is not None:
        shape = replace(shape, management=management_endpoint)
    return shape


def tree_backwards_compatibility(shape: RuntimeShape) -> str:
    """The tree's word for a shape's backwards compatibility (``none`` for no section)."""
    return shape.backwards_compatibility or NO_BACKWARDS_COMPATIBILITY
