"""The Aigonix platform's fixed facts: ports, file lists, default images and resources.

One home for every number and file name the platform fixed, used by validation (a head
cannot listen on a Runtime port), by the model (defaults) and handed to the templates
(which never spell a port or a Dolittle file themselves).
"""

from __future__ import annotations

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


def default_resources(production: bool) -> dict[str, dict[str, str]]:
    """The platform's container resources: more CPU requested in production."""
    return {
        "limits": {"cpu": "2000m", "memory": "1Gi"},
        "requests": {"cpu": "50m" if production else "25m", "memory": "256Mi"},
    }


def event_store_resources(production: bool) -> dict[str, dict[str, str]]:
    return {
        "limits": {"cpu": "2000m", "memory": "2Gi"},
        "requests": {"cpu": "100m" if production else "50m", "memory": "512Mi"},
    }
