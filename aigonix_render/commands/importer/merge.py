"""Per-environment values → a common base and ``environments.<Env>`` overrides.

The tree merges an override over the base (``effective.merged_document``: mappings key by
key, anything else replaced), so the split must give back each environment's value
exactly, with no ``null`` needed:

- a value every environment has, equal: the base;
- a value some environment lacks: only overrides, where it is (an override cannot remove
  an ``ingress`` or a ``runtime``);
- a mapping of fields (``head``, ``runtime``, ``env``): split field by field;
- any other mapping (``resources``, ``ingress``, ``legacyDatabases``): whole, in the base
  only when every environment has the same, else whole in each override (a base would
  blend into an override);
- a scalar or list every environment has, not equal: the most common in the base (on a
  tie the production environment's, as Prod is what other environments vary from), the
  others in overrides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from aigonix_render.foundation import platform, record

# Mappings whose fields merge one by one (effective.deep_merge).
FIELD_MAPS = frozenset({"head", "runtime", "env"})


@record
class Split:
    base: dict[str, Any]
    overrides: dict[str, dict[str, Any]]


def split(documents: Mapping[str, Mapping[str, Any]]) -> Split:
    """``documents``: environment name → that environment's document (same fields)."""
    environments = sorted(documents)
    base, overrides = _split_map(documents, environments, nested=True)
    return Split(base, {env: overrides[env] for env in environments if overrides.get(env)})


_ABSENT = object()


def _split_map(
    values: Mapping[str, Mapping[str, Any]], environments: list[str], nested: bool
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    base: dict[str, Any] = {}
    overrides: dict[str, dict[str, Any]] = {env: {} for env in environments}
    keys = list(dict.fromkeys(k for env in environments for k in values[env]))
    for key in keys:
        per_env = {env: values[env].get(key, _ABSENT) for env in environments}
        common, differing = _split_value(key, per_env, environments, nested)
        if common is not _ABSENT:
            base[key] = common
        for env, value in differing.items():
            overrides[env][key] = value
    return base, overrides


def _split_value(
    key: str, per_env: dict[str, Any], environments: list[str], nested: bool
) -> tuple[Any, dict[str, Any]]:
    present = {env: v for env, v in per_env.items() if v is not _ABSENT}
    values = list(present.values())
    if len(present) == len(environments) and all(v == values[0] for v in values):
        return values[0], {}
    if len(present) == len(environments) and nested and key in FIELD_MAPS:
        common, differing = _split_map(present, environments, nested=key != "env")
        return (common or _ABSENT), {env: v for env, v in differing.items() if v}
    if len(present) < len(environments) or isinstance(values[0], dict):
        return _ABSENT, present
    chosen = _most_common(present)
    return chosen, {env: v for env, v in present.items() if v != chosen}


def _most_common(present: dict[str, Any]) -> Any:
    """The value most environments have; on a tie the production environment's."""
    counted = Counter(repr(v) for v in present.values())
    top = max(counted.values())
    tied = [env for env, v in present.items() if counted[repr(v)] == top]
    chosen = next((env for env in tied if platform.is_production(env)), tied[0])
    return present[chosen]
