"""Gateway API objects against the CRDs of a pinned release (``tests/data/gateway-api/``),
strictly: every object schema that names its properties admits no other (as
``kubernetes-validate --strict`` does for the Kubernetes schemas), and ``metadata`` holds
only the fields aigonix-render writes, each well-formed. ``validate_strictly`` takes any
rendered object to the right one of the two."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from jsonschema import Draft7Validator

CRDS = Path(__file__).parent / "data" / "gateway-api"
GROUP_VERSION = "gateway.networking.k8s.io/v1"
_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
OBJECT_META = {
    "type": "object",
    "properties": {
        "name": {
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            "maxLength": 253,
        },
        "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
        "labels": _LABELS,
        "annotations": _LABELS,
    },
    "required": ["name", "namespace"],
    "additionalProperties": False,
}


def strict(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` wherever it lists properties."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: strict(v) for k, v in schema.items()}
    lists = "properties" in schema and "additionalProperties" not in schema
    if lists and not schema.get("x-kubernetes-preserve-unknown-fields"):
        result["additionalProperties"] = False
    return result


@cache
def validator(kind: str) -> Draft7Validator:
    crd = yaml.safe_load((CRDS / f"gateway.networking.k8s.io_{kind.lower()}s.yaml").read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == GROUP_VERSION.split("/")[1]]
    schema = strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = OBJECT_META
    return Draft7Validator(schema)


def validate(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` for the first problem of a Gateway API object."""
    assert obj["apiVersion"] == GROUP_VERSION, obj["apiVersion"]
    validator(obj["kind"]).validate(obj)


def validate_strictly(obj: dict[str, Any], version: str) -> None:
    """Kubernetes' own kinds by its OpenAPI schemas; Gateway API's by the CRDs of its release."""
    if obj["apiVersion"].startswith("gateway.networking.k8s.io/"):
        validate(obj)
    else:
        kubernetes_validate.validate(obj, version, strict=True)
