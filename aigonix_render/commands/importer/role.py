"""The Role ``developer`` → ``developerRole``: the order the platform appended each
microservice's edit rules in (pkg/platform/k8s/k8s_repo.go: AddPolicyRule, in creation
order) and the microservices it gave none (platform-api v2.7.0), where that is not what a
render gives by default (by environment, then by name)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.foundation import names


def developer_role(role: KubeObject | None, deployed: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``developerRole`` for the Role's rules, or nothing when the render's default is theirs.
    ``deployed``: (environment, microservice name) of every microservice deployed."""
    if role is None:
        return {}
    by_name = {names.secret_env_variables(env, ms): f"{env}/{ms}" for env, ms in deployed}
    default = sorted(by_name.values(), key=lambda entry: tuple(part.lower() for part in entry.split("/")))
    order: list[str] = []
    for rule in role.body.get("rules") or []:
        for name in _secret_names(rule):
            entry = by_name.get(name)
            if entry is not None and entry not in order:
                order.append(entry)
    without = [entry for entry in default if entry not in order]
    found: dict[str, list[str]] = {"order": order} if order != [e for e in default if e in order] else {}
    return found | ({"without": without} if without else {})


def _secret_names(rule: Any) -> list[str]:
    """The Secret names an edit rule of a microservice names (NewMicroservicePolicyRules)."""
    if not isinstance(rule, dict) or rule.get("resources") != ["secrets"]:
        return []
    return [name for name in rule.get("resourceNames") or [] if isinstance(name, str)]
