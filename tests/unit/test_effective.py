"""effective.py: merges, chosen files, where a microservice runs, tenant pairs."""

from __future__ import annotations

from dataclasses import dataclass

from aigonix_render.load.effective import (
    deep_merge,
    deployed_environments,
    effective_resources,
    merged_document,
    override_path,
    tenant_pairs,
)


def test_deep_merge_merges_mappings_replaces_the_rest_and_null_removes() -> None:
    base = {"head": {"image": "a:1", "port": 80}, "env": {"A": "1", "B": "2"}, "replicas": 1}
    override = {"head": {"image": "a:2"}, "env": {"B": None, "C": "3"}, "replicas": 3}
    assert deep_merge(base, override) == {
        "head": {"image": "a:2", "port": 80},
        "env": {"A": "1", "C": "3"},
        "replicas": 3,
    }
    assert base["env"] == {"A": "1", "B": "2"}, "the base is not changed"


def test_merged_document_takes_only_its_environment() -> None:
    data = {"name": "web", "environments": {"Prod": {"replicas": 3}, "Dev": {"replicas": 0}}}
    assert merged_document(data, "Prod") == {"name": "web", "replicas": 3}
    assert merged_document(data, "Test") == {"name": "web"}


def test_deployed_environments_one_answer() -> None:
    application: dict[str, object] = {"environments": {"Dev": {}, "Prod": {}, "Test": {}}}
    declared = {"Dev", "Prod"}
    assert deployed_environments(application, {}, declared) == ["Dev", "Prod"]
    assert deployed_environments(application, {"deployTo": ["Prod", "Test"]}, declared) == ["Prod"]
    assert deployed_environments(application, {"deployTo": ["Staging"]}, declared) == []


@dataclass(frozen=True)
class _Tenant:
    id: str
    alias: str


def test_tenant_pairs_by_alias_unless_mapped() -> None:
    consumers = (_Tenant("c1", "default"), _Tenant("c2", "Second"))
    producers = (_Tenant("p1", "Default"), _Tenant("p3", "third"))
    assert tenant_pairs(consumers, producers, None) == [(consumers[0], producers[0]), (consumers[1], None)]
    mapped = [{"consumer": "second", "producer": "THIRD"}, {"consumer": "nobody", "producer": "default"}]
    assert tenant_pairs(consumers, producers, mapped) == [(consumers[1], producers[1])]


def test_effective_resources_null_removes_the_default_too() -> None:
    """An override's null must not let the platform's default come back under it."""
    defaults = {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "25m", "memory": "256Mi"}}
    data = {
        "head": {"resources": {"limits": {"memory": "2Gi"}}},
        "environments": {"Prod": {"head": {"resources": {"requests": None, "limits": {"cpu": None}}}}},
    }
    assert effective_resources(data, "Prod", "head", defaults) == {"limits": {"memory": "2Gi"}}
    assert effective_resources(data, "Dev", "head", defaults) == {
        "limits": {"cpu": "2", "memory": "2Gi"},
        "requests": {"cpu": "25m", "memory": "256Mi"},
    }
    assert effective_resources(data, "Dev", "runtime", defaults) == defaults


def test_override_path_points_at_the_line_that_sets_the_value() -> None:
    data = {"ingress": {"path": "/a"}, "environments": {"Prod": {"ingress": {"path": "/b"}}}}
    assert override_path(data, "Prod", ["ingress", "path"]) == ["environments", "Prod", "ingress", "path"]
    assert override_path(data, "Dev", ["ingress", "path"]) == ["ingress", "path"]
    assert override_path(data, "Prod", ["ingress", "pathType"]) == ["ingress", "pathType"]
