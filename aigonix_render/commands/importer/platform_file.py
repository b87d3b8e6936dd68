"""``platform.json`` in ``<env>-<ms>-dolittle`` → the tree's ``platformJson``.

The render writes every field of ``platform.json`` from the tree (render/runtime.py), and
``customerName`` as the customer's ``tenant`` label, which is what platform-api v4.13.0
wrote for a microservice made through the API (it read the customer from the namespace's
label, pkg/platform/k8s/k8s_repo.go: GetApplication). The Welcome microservice, made with
the application, got the Studio customer name instead (pkg/platform/application/k8s.go:
CreateApplicationAndEnvironmentAndWelcomeMicroservice passes the Terraform customer's
name to simpleRepo.Create; pkg/dolittle/k8s/configmaps.go:
NewMicroserviceConfigMapPlatformData writes ``microservice.Tenant.Name``): the tree keeps
that name as ``platformJson.customerName``.
"""

from __future__ import annotations

import json
from typing import Any

from aigonix_render.commands.importer.dump import KubeObject

PLATFORM_FILE = "platform.json"


def platform_json(dolittle: KubeObject | None, label: str) -> dict[str, str]:
    """``{"customerName": ...}`` where the file names the customer otherwise than ``label``
    (the render's default), else nothing (a file that cannot be read is compared and
    reported field by field)."""
    name = _customer_name(((dolittle.body.get("data") or {}) if dolittle else {}).get(PLATFORM_FILE))
    return {"customerName": name} if name is not None and name != label else {}


def _customer_name(text: Any) -> str | None:
    try:
        document = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    name = document.get("customerName") if isinstance(document, dict) else None
    return name if isinstance(name, str) and name else None
