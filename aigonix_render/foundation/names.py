"""Every name aigonix-render gives a Kubernetes object, and Kubernetes' rules for names.

One home for "what is X called": render builds each object's name with these functions
and validation checks exactly their result (never a copy of the formula). The names
follow the Aigonix platform's (``<env>-<ms>``, ``<env>-<ms>-env-variables``, ...) so that
GitOps can adopt the objects the platform made; environment and microservice names are
lower-cased in object names and keep their case in labels.
"""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


def dns1123_label(name: str) -> str | None:
    """None when ``name`` is a DNS-1123 label, else what is wrong with it."""
    if len(name) > 63:
        return f"longer than 63 characters ({len(name)})"
    if not _DNS1123_LABEL.fullmatch(name):
        return "not a DNS-1123 label (lower-case letters, digits and '-', starting and ending alphanumeric)"
    return None


def dns1035_label(name: str) -> str | None:
    """None when ``name`` is a DNS-1035 label (Service names), else what is wrong."""
    if len(name) > 63:
        return f"longer than 63 characters ({len(name)})"
    if not _DNS1035_LABEL.fullmatch(name):
        return "not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter)"
    return None


def dns1123_subdomain(name: str) -> str | None:
    """None when ``name`` is a DNS-1123 subdomain (most object names), else what is wrong."""
    if len(name) > 253:
        return f"longer than 253 characters ({len(name)})"
    if not all(_DNS1123_LABEL.fullmatch(part) for part in name.split(".")):
        return "not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')"
    return None


def label_value(value: str) -> str | None:
    """None when ``value`` may be a label value, else what is wrong."""
    if len(value) > 63:
        return f"longer than 63 characters ({len(value)})"
    if not _LABEL_VALUE.fullmatch(value):
        return "a label value allows only letters, digits, '-', '_' and '.', starting and ending alphanumeric"
    return None


def label_key(key: str) -> str | None:
    """None when ``key`` may be a label key (``[prefix/]name``), else what is wrong with it."""
    prefix, _, name = key.rpartition("/")
    if prefix and dns1123_subdomain(prefix):
        return f"the prefix {prefix!r} is not a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _LABEL_VALUE.fullmatch(name):
        return "a label name has 1 to 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric"
    return None


def config_map_key(key: str) -> str | None:
    if len(key) > 253:
        return f"longer than 253 characters ({len(key)})"
    if not _CONFIG_KEY.fullmatch(key):
        return "a ConfigMap key allows only letters, digits, '-', '_' and '.'"
    return _dot_prefix(key)


def env_var_name(name: str) -> str | None:
    if not _ENV_NAME.fullmatch(name):
        return (
            "an environment variable name allows letters, digits, '_', '-' and '.', not starting with a digit"
        )
    return _dot_prefix(name)


def _dot_prefix(name: str) -> str | None:
    """Kubernetes refuses '.', '..' and names starting with '..' (kubelet's own files)."""
    if name in (".", "..") or name.startswith(".."):
        return "'.', '..' and names starting with '..' are reserved by Kubernetes"
    return None


# --- the platform's names -------------------------------------------------------------

ENV_VARIABLES_SUFFIX = "-env-variables"
CONFIG_FILES_SUFFIX = "-config-files"
DOLITTLE_CONFIG_SUFFIX = "-dolittle"
SECRET_ENV_VARIABLES_SUFFIX = "-secret-env-variables"
INGRESS_POLICY_SUFFIX = "-ingress"
EVENT_HORIZONS_POLICY_SUFFIX = "-event-horizons"
PULL_SECRET = "acr"
DEVELOPER_ROLE = "developer"
DEVOPS_ACCOUNT = "devops"
# The Azure storage account of the backups' file shares (pkg/platform/application/k8s/resources.go: NewStorage).
BACKUP_STORAGE_SECRET = "storage-account-secret"
CLUSTER_DOMAIN = "svc.cluster.local"


def namespace(application_id: str) -> str:
    """The namespace of an application, shared by all its environments."""
    return f"application-{application_id}"


def customer_label(customer_name: str) -> str:
    """The ``tenant`` label: the customer name with spaces as underscores."""
    return customer_name.replace(" ", "_")


def workload(environment: str, microservice: str) -> str:
    """``<env>-<ms>``: the Deployment and the Service of a microservice in one environment."""
    return f"{environment.lower()}-{microservice.lower()}"


def env_variables(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + ENV_VARIABLES_SUFFIX


def config_files(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + CONFIG_FILES_SUFFIX


def dolittle_config(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + DOLITTLE_CONFIG_SUFFIX


def secret_env_variables(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + SECRET_ENV_VARIABLES_SUFFIX


def ingress_policy(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + INGRESS_POLICY_SUFFIX


def event_horizons_policy(environment: str, microservice: str) -> str:
    return workload(environment, microservice) + EVENT_HORIZONS_POLICY_SUFFIX


def route(environment: str, microservice: str, tenant_id: str) -> str:
    """One route (Ingress or HTTPRoute) per customer tenant: ``<env>-<ms>-<first 7
    characters of the tenant id>`` (pkg/platform/customertenant/ingress.go: CreateIngresses)."""
    return f"{workload(environment, microservice)}-{tenant_id[:7].lower()}"


def http_redirect(route_name: str) -> str:
    """A route's twin on a Gateway's plain-HTTP listener, which redirects to HTTPS."""
    return f"{route_name}-http"


def kafka_files(environment: str) -> str:
    """The M3 connector's ConfigMap and volume, one per environment (not per microservice):
    simple/k8s/resources.go: AddM3ConnectorToDeployment."""
    return f"{environment.lower()}-kafka-files"


def customer_group(customer_id: str) -> str:
    """The group every developer of the customer is in (pkg/platform/utils.go: GetCustomerGroup)."""
    return f"tenant-{customer_id}"


def tenants_config(environment: str) -> str:
    """The ``<env>-tenants`` ConfigMap of an application environment."""
    return f"{environment.lower()}-tenants"


def environment_policy(environment: str) -> str:
    """The NetworkPolicy that lets the pods of one environment talk to each other."""
    return environment.lower()


def mongo(environment: str) -> str:
    """The event store's Service and StatefulSet of an application environment."""
    return f"{environment.lower()}-mongo"


def mongo_storage(environment: str) -> str:
    return f"{mongo(environment)}-storage"


def mongo_backup(environment: str) -> str:
    return f"{mongo(environment)}-backup"


def mongo_pod(environment: str) -> str:
    """The event store's one pod, which developers may port-forward to."""
    return f"{mongo(environment)}-0"


def backup_archive(application: str, environment: str) -> str:
    """The start of the backup archives' names, as the platform's CronJob wrote them
    (``lower(ParseLabel(app) + "-" + ParseLabel(env))``, NewMongo; ParseLabel changes
    nothing in names that validated)."""
    return f"{application}-{environment}".lower()


def backup_share(application: str, environment: str) -> str:
    """The Azure file share of an environment's backups (pkg/azure/azure.go: CreateBackupFileShareName)."""
    return f"{backup_archive(application, environment)}-backup"


def service_host(environment: str, microservice: str, application_id: str) -> str:
    """The cluster DNS name of a microservice's Service."""
    return f"{workload(environment, microservice)}.{namespace(application_id)}.{CLUSTER_DOMAIN}"


def mongo_host(environment: str, application_id: str) -> str:
    return f"{mongo(environment)}.{namespace(application_id)}.{CLUSTER_DOMAIN}"


def tls_secret(host: str, secret_name: str | None) -> str:
    """A host's own ``secretName``, else one derived from the host name."""
    return secret_name or host.lower().replace("*.", "wildcard.") + "-tls"


def database_prefix(microservice_id: str, tenant_id: str) -> str:
    """The Runtime's database prefix since platform-api v2.8.0: ids' first 7 characters."""
    return f"{microservice_id[:7]}_{tenant_id[:7]}".lower()


def legacy_database_prefix(application: str, environment: str, microservice: str) -> str:
    """The prefix before v2.8.0, from the names as they were then
    (v2.7.0 pkg/dolittle/k8s/configmaps.go: NewMicroserviceResources)."""
    return f"{application}_{environment}_{microservice}".lower()


DATABASE_SUFFIXES = ("_readmodels", "_eventstore", "_projections", "_embeddings")
