"""The shapes of the fields an import reads, checked once for every object of the dump.

kubectl writes each field with the type the Kubernetes API gives it; a dump edited by
hand (or by a tool) may not: ``replicas: 1.5``, ``containers: 5``, ``data: "x"``. Each
field the import reads (and the comparison with the render walks) is listed here with its
type, per kind; a field of another type is an error line naming the object and the field,
and the import stops before reading any object. The readers after this may rely on the
types listed.

A pattern is a field path: keys joined by ``.``, ``*`` for every key of a mapping, ``[]``
for every item of a list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.dump import KubeObject

Types = type | tuple[type, ...]
_QUANTITY = (str, int, float)
_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "a whole number", float: "a number"}


def _labelled(prefix: str) -> dict[str, Types]:
    return {
        prefix: dict,
        f"{prefix}.labels": dict,
        f"{prefix}.labels.*": str,
        f"{prefix}.annotations": dict,
        f"{prefix}.annotations.*": str,
    }


def _container(prefix: str) -> dict[str, Types]:
    shapes: dict[str, Types] = {
        prefix: list,
        f"{prefix}[]": dict,
        f"{prefix}[].name": str,
        f"{prefix}[].image": str,
        f"{prefix}[].command": list,
        f"{prefix}[].command[]": str,
        f"{prefix}[].args": list,
        f"{prefix}[].args[]": str,
        f"{prefix}[].ports": list,
        f"{prefix}[].ports[]": dict,
        f"{prefix}[].ports[].name": str,
        f"{prefix}[].ports[].containerPort": int,
        f"{prefix}[].env": list,
        f"{prefix}[].env[]": dict,
        f"{prefix}[].env[].name": str,
        f"{prefix}[].env[].value": str,
        f"{prefix}[].volumeMounts": list,
        f"{prefix}[].volumeMounts[]": dict,
        f"{prefix}[].resources": dict,
    }
    for kind in ("requests", "limits"):
        shapes |= {f"{prefix}[].resources.{kind}": dict, f"{prefix}[].resources.{kind}.*": _QUANTITY}
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        at = f"{prefix}[].{probe}"
        shapes |= {at: dict, f"{at}.httpGet": dict, f"{at}.httpGet.path": str}
        shapes |= {
            f"{at}.httpGet.port": (int, str),
            f"{at}.initialDelaySeconds": int,
            f"{at}.periodSeconds": int,
        }
    return shapes


def _pod_template(prefix: str) -> dict[str, Types]:
    pod = f"{prefix}.spec"
    shapes: dict[str, Types] = {prefix: dict, **_labelled(f"{prefix}.metadata"), pod: dict}
    shapes |= _container(f"{pod}.containers") | _container(f"{pod}.initContainers")
    shapes |= {f"{pod}.volumes": list, f"{pod}.volumes[]": dict, f"{pod}.volumes[].name": str}
    for source in ("configMap", "secret", "azureFile", "persistentVolumeClaim"):
        shapes[f"{pod}.volumes[].{source}"] = dict
    shapes |= {
        f"{pod}.volumes[].azureFile.secretName": str,
        f"{pod}.volumes[].persistentVolumeClaim.claimName": str,
    }
    return shapes


_CLAIMS = "spec.volumeClaimTemplates"
_STRINGS = {"data": dict, "data.*": str}
_KINDS: dict[str, dict[str, Types]] = {
    "Deployment": {"spec": dict, "spec.replicas": int, **_pod_template("spec.template")},
    "StatefulSet": {
        "spec": dict,
        "spec.replicas": int,
        **_pod_template("spec.template"),
        _CLAIMS: list,
        f"{_CLAIMS}[]": dict,
        **_labelled(f"{_CLAIMS}[].metadata"),
        f"{_CLAIMS}[].spec": dict,
        f"{_CLAIMS}[].spec.storageClassName": str,
        f"{_CLAIMS}[].spec.resources": dict,
        f"{_CLAIMS}[].spec.resources.requests": dict,
        f"{_CLAIMS}[].spec.resources.requests.*": _QUANTITY,
    },
    "CronJob": {
        "spec": dict,
        "spec.schedule": str,
        "spec.jobTemplate": dict,
        **_labelled("spec.jobTemplate.metadata"),
        "spec.jobTemplate.spec": dict,
        **_pod_template("spec.jobTemplate.spec.template"),
    },
    "Service": {"spec": dict, "spec.ports": list, "spec.ports[]": dict, "spec.ports[].name": str},
    "Ingress": {
        "spec": dict,
        "spec.ingressClassName": str,
        "spec.tls": list,
        "spec.tls[]": dict,
        "spec.tls[].hosts": list,
        "spec.tls[].hosts[]": str,
        "spec.tls[].secretName": str,
        "spec.rules": list,
        "spec.rules[]": dict,
        "spec.rules[].host": str,
        "spec.rules[].http": dict,
        "spec.rules[].http.paths": list,
        "spec.rules[].http.paths[]": dict,
        "spec.rules[].http.paths[].path": str,
        "spec.rules[].http.paths[].pathType": str,
    },
    "ConfigMap": {**_STRINGS, "binaryData": dict, "binaryData.*": str},
    "Secret": {**_STRINGS, "stringData": dict, "stringData.*": str, "type": str},
    "RoleBinding": {"subjects": list, "subjects[]": dict, "subjects[].kind": str, "subjects[].name": str},
    "Role": {"rules": list, "rules[]": dict},
    "NetworkPolicy": {"spec": dict},
    "Namespace": {"spec": dict},
}
_EVERY_KIND = _labelled("metadata")


def shape_errors(objects: list[KubeObject]) -> list[report.ReportLine]:
    """An error line for every field of every object whose type is not the one listed."""
    return [line for obj in objects for line in _object_errors(obj)]


def _object_errors(obj: KubeObject) -> Iterator[report.ReportLine]:
    for pattern, types in {**_EVERY_KIND, **_KINDS.get(obj.kind, {})}.items():
        for path, value in _matches(obj.body, pattern.replace("[]", ".[]").split(".")):
            if not _is(value, types):
                subject = f"{obj.kind}/{obj.namespace}/{obj.name}" if obj.namespace else obj.ref
                message = f"{_kind_of(value)} where kubectl writes {_wanted(types)}"
                yield report.error(subject, message, path)


def _matches(value: Any, parts: list[str], path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value at the path ``parts`` below ``value``, with its own path; a step into a
    value of another type is no match (its own pattern reports it)."""
    if not parts:
        yield path, value
        return
    step, rest = parts[0], parts[1:]
    if step == "[]" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _matches(item, rest, f"{path}[{index}]")
    elif step == "*" and isinstance(value, Mapping):
        for key, item in value.items():
            yield from _matches(item, rest, _join(path, str(key)))
    elif isinstance(value, Mapping) and step in value:
        yield from _matches(value[step], rest, _join(path, step))


def _join(path: str, key: str) -> str:
    if "." in key or "/" in key or not key:
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _is(value: Any, types: Types) -> bool:
    wanted = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool):
        return bool in wanted
    return isinstance(value, wanted)


def _wanted(types: Types) -> str:
    wanted = types if isinstance(types, tuple) else (types,)
    return " or ".join(_NAMES.get(t, t.__name__) for t in wanted)


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _NAMES.get(type(value), f"a {type(value).__name__}")
