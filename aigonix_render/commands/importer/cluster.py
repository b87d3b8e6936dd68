"""What the API server adds to an object: status, bookkeeping, and the defaults of fields
the platform left out. Removed from both sides before a dump and a render are compared,
so that only what someone chose remains. One list, pinned by tests/test_import.py."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")
SERVER_ANNOTATIONS = ("deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration")
# Added to every Namespace since Kubernetes 1.21 (the NamespaceDefaultLabelName feature).
SERVER_LABELS = ("kubernetes.io/metadata.name",)

_POD_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}
_CONTAINER_DEFAULTS = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "resources": {},
}
_PROBE_DEFAULTS = {"timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3, "periodSeconds": 10}
# A default the server completes (``type`` alone gets the rest filled in) is either form.
_ROLLING = (
    {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
    {"type": "RollingUpdate"},
)
_PARTITIONED = ({"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}, {"type": "RollingUpdate"})
_SPEC_DEFAULTS: dict[str, dict[str, Any]] = {
    "Deployment": {"progressDeadlineSeconds": 600, "revisionHistoryLimit": 10, "strategy": _ROLLING},
    "StatefulSet": {
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "podManagementPolicy": "OrderedReady",
        "revisionHistoryLimit": 10,
        "updateStrategy": _PARTITIONED,
    },
    "CronJob": {"concurrencyPolicy": "Allow", "suspend": False},
    "Service": {
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "sessionAffinity": "None",
        "type": "ClusterIP",
    },
}


def without_server_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` as someone wrote it: what the API server added is gone."""
    found = copy.deepcopy(dict(obj))
    found.pop("status", None)
    _metadata(found.setdefault("metadata", {}))
    kind = found.get("kind", "")
    spec = found.get("spec")
    if isinstance(spec, dict):
        _drop_defaults(spec, _SPEC_DEFAULTS.get(kind, {}))
        _KINDS.get(kind, _nothing)(found, spec)
    if kind == "Secret" and found.get("type") == "Opaque":
        del found["type"]
    if kind == "ServiceAccount":
        found.pop("secrets", None)  # the token controller's (clusters before 1.24)
    return found


def _metadata(metadata: dict[str, Any]) -> None:
    for key in SERVER_METADATA:
        metadata.pop(key, None)
    for field, keys in (("annotations", SERVER_ANNOTATIONS), ("labels", SERVER_LABELS)):
        values = metadata.get(field)
        if isinstance(values, dict):
            for key in keys:
                values.pop(key, None)
            if not values:
                del metadata[field]


def _drop_defaults(values: dict[str, Any], defaults: Mapping[str, Any]) -> None:
    """Each default is a value, or a tuple of the forms it may take."""
    for key, default in defaults.items():
        forms = default if isinstance(default, tuple) else (default,)
        if key in values and values[key] in forms:
            del values[key]


def _nothing(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    return None


def _namespace(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    if spec.get("finalizers") == ["kubernetes"]:
        del obj["spec"]


def _service(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    """``clusterIP: None`` is a choice (a headless Service); an address is the server's."""
    spec.pop("clusterIPs", None)
    if spec.get("clusterIP") not in (None, "None"):
        del spec["clusterIP"]
    for port in spec.get("ports") or []:
        _drop_defaults(port, {"protocol": "TCP"})


def _deployment(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _template(spec.get("template"))


def _stateful_set(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    _template(spec.get("template"))
    for claim in spec.get("volumeClaimTemplates") or []:
        claim.pop("status", None)
        _drop_defaults(claim, {"apiVersion": "v1", "kind": "PersistentVolumeClaim"})
        _metadata(claim.get("metadata") or {})
        _drop_defaults(claim.get("spec") or {}, {"volumeMode": "Filesystem"})


def _cron_job(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    job = spec.get("jobTemplate") or {}
    _metadata(job.get("metadata") or {})
    if job.get("metadata") == {}:
        del job["metadata"]
    _template((job.get("spec") or {}).get("template"))


def _template(template: Any) -> None:
    if not isinstance(template, dict):
        return
    _metadata(template.setdefault("metadata", {}))
    pod = template.get("spec") or {}
    _drop_defaults(pod, _POD_DEFAULTS)
    for container in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
        _container(container)
    for volume in pod.get("volumes") or []:
        _drop_defaults(volume.get("configMap") or {}, {"defaultMode": 420})


def _container(container: dict[str, Any]) -> None:
    _drop_defaults(container, _CONTAINER_DEFAULTS)
    image = str(container.get("image", ""))
    latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
    _drop_defaults(container, {"imagePullPolicy": "Always" if latest else "IfNotPresent"})
    for port in container.get("ports") or []:
        _drop_defaults(port, {"protocol": "TCP"})
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(kind)
        if isinstance(probe, dict):
            _drop_defaults(probe, _PROBE_DEFAULTS)
            _drop_defaults(probe.get("httpGet") or {}, {"scheme": "HTTP"})


_KINDS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "Namespace": _namespace,
    "Service": _service,
    "Deployment": _deployment,
    "StatefulSet": _stateful_set,
    "CronJob": _cron_job,
}
