"""Changes Kubernetes cannot apply in place, found by comparing with the previous output.

The API server refuses an update to a StatefulSet's ``volumeClaimTemplates`` (the event
store's volume size and class), ``selector``, ``serviceName`` or ``podManagementPolicy``,
and to a Deployment's ``selector``: Argo CD or Flux would then fail to sync the whole
folder, after the change reached git. So such a change is refused before it is written,
with the reason and what to do instead. Pure functions of the old and new file text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from aigonix_render.foundation import OutputFile, Problem
from aigonix_render.model import Model
from aigonix_render.render import environment_folder

# The fields of ``spec`` an update may not change (apps/v1 validation of StatefulSetSpec
# and DeploymentSpec updates).
IMMUTABLE = {
    "StatefulSet": ("volumeClaimTemplates", "selector", "serviceName", "podManagementPolicy"),
    "Deployment": ("selector",),
}
# Fields that have the same meaning when left out (the API server fills them in).
_DEFAULTS = {"podManagementPolicy": "OrderedReady"}


def refusal(previous: str | None, rendered: str) -> str | None:
    """Why the object in ``rendered`` cannot replace the one in ``previous``; None if it can
    (or there was none, or it is of a kind whose spec is not compared)."""
    if previous is None or previous == rendered:
        return None  # most files of a render are unchanged: parse only those that changed
    old, new = _parse(previous), _parse(rendered)
    if not _same_object(old, new):
        return None
    changed = [field for field in IMMUTABLE[new["kind"]] if _field(old, field) != _field(new, field)]
    if not changed:
        return None
    what = "; ".join(_change(field, _field(old, field), _field(new, field)) for field in changed)
    return (
        f"the {new['kind']} {new['metadata']['name']} cannot change in place ({what}): Kubernetes refuses"
        " to update these fields, so the sync would fail. Keep the previous value, or delete the"
        f" {new['kind']} yourself first (a volume claim's data stays in its PersistentVolumeClaim)"
    )


def _parse(text: str) -> Any:
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None  # a previous file that is not YAML any more is simply replaced


def _same_object(old: Any, new: Any) -> bool:
    if not isinstance(old, dict) or not isinstance(new, dict) or new.get("kind") not in IMMUTABLE:
        return False
    return (old.get("kind"), old.get("metadata", {}).get("name")) == (new["kind"], new["metadata"]["name"])


def _field(obj: dict[str, Any], field: str) -> Any:
    return (obj.get("spec") or {}).get(field, _DEFAULTS.get(field))


def _change(field: str, old: Any, new: Any) -> str:
    if field == "volumeClaimTemplates":
        return ", ".join(_claim_changes(old or [], new or [])) or "volume claims"
    return f"{field} {_text(old)} → {_text(new)}"


def _claim_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """The size and class of each claim, in words, where they differ."""
    changes = []
    for before, after in zip(old, new, strict=False):
        for label, get in (("size", _size), ("storage class", _class), ("name", _name)):
            if get(before) != get(after):
                changes.append(f"{label} of {_name(after)} {get(before)} → {get(after)}")
    if len(old) != len(new):
        changes.append(f"{len(old)} volume claims → {len(new)}")
    return changes


def _size(claim: dict[str, Any]) -> Any:
    return claim.get("spec", {}).get("resources", {}).get("requests", {}).get("storage")


def _class(claim: dict[str, Any]) -> Any:
    return claim.get("spec", {}).get("storageClassName")


def _name(claim: dict[str, Any]) -> Any:
    return claim.get("metadata", {}).get("name")


def _text(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=True).strip()


def refusals(
    model: Model, files: Iterable[OutputFile], previous: Callable[[str], bytes | None]
) -> list[Problem]:
    """Every refused change of a render, reported at the manifest of the application whose
    folder holds the object. ``previous`` reads a file of the previous output (or None)."""
    manifests = {
        environment_folder(e.application.name, e.environment.name): f"{e.application.folder}/aigonix.yaml"
        for e in model.environments
    }
    problems = []
    for file in files:
        folder, _, name = file.path.rpartition("/")
        if folder not in manifests or not name.startswith(("statefulset-", "deployment-")):
            continue
        old = previous(file.path)
        why = refusal(old.decode("utf-8", "replace") if old is not None else None, file.text)
        if why:
            problems.append(Problem(manifests[folder], 1, 1, f"{file.path}: {why}"))
    return problems
