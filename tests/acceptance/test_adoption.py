"""Adoption in place: what aigonix-render renders for ``tests/cases/adoption/`` against what
dolittle/platform-api v4.13.0 made for the same running application
(``tests/data/platform/``, one object per file, each citing the source that built it),
field by field.

The application has Runtime 9.3.3, 8.0.0 and 6.1.0 microservices, one made by v2.7.0 with
the legacy database prefix, two customer tenants with hosts, a head without a Runtime and
an event horizon. Every difference is listed once, in DIFFERENCES, with its reason: any
other difference fails, and so does a listed one that no longer occurs.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TESTS, render_tree, run_line, sops_decrypt
from gateway_api import validate_strictly

TREE = TESTS / "cases" / "adoption"
PLATFORM = TESTS / "data" / "platform"
APP = "shop"


@dataclass(frozen=True)
class Difference:
    """Allowed: ``objects`` (``Kind/name``, a glob) differ at ``path`` (a glob; ``""`` is
    the whole object: only one side has it), for ``reason``."""

    objects: str
    path: str
    reason: str


RETAINED = (
    "what keeps Argo CD and Flux from pruning or cascade-deleting what holds data (the one difference"
    " exact adoption allows: deleting the namespace or the event store deletes the event store's volumes)"
)
DIFFERENCES = (
    Difference("Namespace/*", "metadata.annotations.argocd.argoproj.io/sync-options", RETAINED),
    Difference("Namespace/*", "metadata.annotations.kustomize.toolkit.fluxcd.io/prune", RETAINED),
    Difference("StatefulSet/*-mongo", "metadata.annotations.argocd.argoproj.io/sync-options", RETAINED),
    Difference("StatefulSet/*-mongo", "metadata.annotations.kustomize.toolkit.fluxcd.io/prune", RETAINED),
    Difference(
        "StatefulSet/*-mongo",
        "spec.persistentVolumeClaimRetentionPolicy",
        RETAINED + "; Retain for both is what the API server defaults the field to (Kubernetes 1.27+),"
        " so a live object already has it and the first sync changes nothing there",
    ),
)


# --- the comparison ---------------------------------------------------------------------

# What the API server fills in when a field is left out: the same object either way.
SERVER_DEFAULTS = {
    ("Service", "spec.type"): "ClusterIP",
    ("Secret", "type"): "Opaque",
    ("StatefulSet", "spec.podManagementPolicy"): "OrderedReady",
    ("StatefulSet", "spec.updateStrategy"): {"type": "RollingUpdate"},
    ("CronJob", "spec.concurrencyPolicy"): "Allow",
    ("CronJob", "spec.suspend"): False,
}


def normalized(obj: dict[str, Any]) -> dict[str, Any]:
    """Server defaults and empty values left out; ports' default protocol TCP left out."""
    obj = json.loads(json.dumps(obj))  # a copy
    for (kind, path), default in SERVER_DEFAULTS.items():
        *parents, last = path.split(".")
        node = obj if obj["kind"] == kind else None
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get(last) == default:
            del node[last]
    pruned: dict[str, Any] = _pruned(obj)
    return pruned


def _pruned(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        pruned = {k: _pruned(v, k) for k, v in node.items()}
        if key == "ports" or "containerPort" in pruned or "targetPort" in pruned:
            pruned = {k: v for k, v in pruned.items() if (k, v) != ("protocol", "TCP")}
        return {k: v for k, v in pruned.items() if v not in ({}, [], None)}
    if isinstance(node, list):
        return [_pruned(item, key) for item in node]
    return node


def differences(platform: Any, rendered: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(platform, dict) and isinstance(rendered, dict):
        for key in sorted(set(platform) | set(rendered)):
            below = f"{path}.{key}" if path else key
            yield from differences(platform.get(key), rendered.get(key), below)
    elif isinstance(platform, list) and isinstance(rendered, list) and len(platform) == len(rendered):
        for index, (a, b) in enumerate(zip(platform, rendered, strict=True)):
            yield from differences(a, b, f"{path}.{index}")
    elif platform != rendered:
        yield path, platform, rendered


def identity(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def platform_objects() -> dict[str, dict[str, Any]]:
    found = [yaml.safe_load(p.read_text()) for p in sorted(PLATFORM.glob("*.yaml"))]
    return {identity(o): normalized(o) for o in found}


def rendered_objects(out: Path, key: Path) -> dict[str, dict[str, Any]]:
    """Every object of the application's folders, Secrets decrypted as Flux decrypts them,
    each first checked against the strict schemas of Kubernetes 1.33 and Gateway API."""
    found = {}
    for path in sorted((out / APP).rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        text = path.read_text()
        obj = yaml.safe_load(sops_decrypt(path, key) if "\nsops:\n" in text else text)
        validate_strictly(obj, "1.33.0")
        found[identity(obj)] = normalized(obj)
    return found


def found_differences(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> list[tuple[str, str, Any, Any]]:
    """(object, path, platform's, rendered): a whole object only one side has at path ``""``."""
    found = []
    for name in sorted(set(platform) | set(rendered)):
        if name not in platform or name not in rendered:
            found.append((name, "", name in platform, name in rendered))
        else:
            found.extend((name, path, a, b) for path, a, b in differences(platform[name], rendered[name]))
    return found


def _allows(difference: Difference, obj: str, path: str) -> bool:
    return fnmatch.fnmatchcase(obj, difference.objects) and fnmatch.fnmatchcase(path, difference.path)


@pytest.fixture(scope="module")
def key(both_keys: Path) -> Path:
    return both_keys


@pytest.fixture(scope="module")
def platform() -> dict[str, dict[str, Any]]:
    return platform_objects()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, key: Path) -> dict[str, dict[str, Any]]:
    return rendered_objects(render_tree(TREE, tmp_path_factory.mktemp("adoption") / "out", key), key)


@pytest.fixture(scope="module")
def found(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> list[tuple[str, str, Any, Any]]:
    return found_differences(platform, rendered)


def test_every_difference_from_the_platform_is_explained(found: list[tuple[str, str, Any, Any]]) -> None:
    unexplained = [f for f in found if not any(_allows(d, f[0], f[1]) for d in DIFFERENCES)]
    text = "\n".join(f"{o} {p}: platform {a!r} / rendered {b!r}" for o, p, a, b in unexplained)
    assert not text, f"differences from the platform that DIFFERENCES does not explain:\n{text}"


def test_every_explained_difference_occurs(found: list[tuple[str, str, Any, Any]]) -> None:
    assert [d for d in DIFFERENCES if not any(_allows(d, f[0], f[1]) for f in found)] == []


def test_pod_templates_equal_the_platforms(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> None:
    """Adoption restarts nothing: a pod template that changes rolls every pod of it."""
    workloads = [n for n in platform if n.split("/")[0] in ("Deployment", "StatefulSet")]
    assert len(workloads) == 10
    for name in workloads:
        assert rendered[name]["spec"]["template"] == platform[name]["spec"]["template"], name
        assert rendered[name]["spec"]["selector"] == platform[name]["spec"]["selector"], name
    for name in ("StatefulSet/dev-mongo", "StatefulSet/prod-mongo"):
        spec = dict(rendered[name]["spec"])
        # the API server's own default (Kubernetes 1.27+): a live StatefulSet already has it
        assert spec.pop("persistentVolumeClaimRetentionPolicy") == {
            "whenDeleted": "Retain",
            "whenScaled": "Retain",
        }
        assert spec == platform[name]["spec"], name


def test_consents_are_the_platforms(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> None:
    """The tree states the ids the platform drew at random (simple/k8s/repo.go: uuid.New())."""
    for name in ("ConfigMap/dev-catalog-dolittle", "ConfigMap/prod-catalog-dolittle"):
        ours = rendered[name]["data"]["event-horizon-consents.json"]
        assert ours == platform[name]["data"]["event-horizon-consents.json"]


def test_the_legacy_route_is_the_platforms(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> None:
    """The route of its own (ingress.routes) is v2.7.0's Ingress: its name, its fixed host
    and the one tenant its Runtime knows (17426336-..., v2.7.0 microservice/k8s/doc.go); no
    customer tenant's hosts route to that Runtime, which knows none of them."""
    assert rendered["Ingress/prod-legacy"] == platform["Ingress/prod-legacy"]
    assert [n for n in rendered if n.startswith("Ingress/prod-legacy")] == ["Ingress/prod-legacy"]


def test_role_rules_are_the_platforms_in_its_order(
    platform: dict[str, dict[str, Any]], rendered: dict[str, dict[str, Any]]
) -> None:
    """developerRole states the order the platform appended the rules in and that v2.7.0
    added none for prod-legacy."""
    assert rendered["Role/developer"]["rules"] == platform["Role/developer"]["rules"]


def test_without_developer_role_the_rules_are_sorted_and_every_microservice_has_its_own(
    tmp_path: Path, both_keys: Path, platform: dict[str, dict[str, Any]]
) -> None:
    tree = copy_tree(tmp_path)
    manifest = tree / "applications/shop/aigonix.yaml"
    text = manifest.read_text()
    manifest.write_text(text[: text.index("developerRole:")])
    rules = rendered_objects(render_tree(tree, tmp_path / "out", both_keys), both_keys)["Role/developer"][
        "rules"
    ]
    edited = [
        rule["resourceNames"][0].removesuffix("-secret-env-variables")
        for rule in rules[6:]
        if rule["resources"] == ["secrets"]
    ]
    assert edited == [
        f"{env}-{ms}" for env in ("dev", "prod") for ms in ("catalog", "frontend", "legacy", "orders")
    ]

    def as_set(rules: list[dict[str, Any]]) -> set[str]:
        return {json.dumps(rule, sort_keys=True) for rule in rules}

    assert as_set(rules) > as_set(platform["Role/developer"]["rules"])


# --- the same application behind a Gateway -----------------------------------------------

GATEWAY_ROUTES = """\
    routes:
      kind: gateway
      gateway: {name: public, namespace: gateway-system, sectionName: https}
"""


def copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree)
    return tree


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def behind_a_gateway(tmp_path_factory: pytest.TempPathFactory, key: Path) -> dict[str, dict[str, Any]]:
    tree = copy_tree(tmp_path_factory.mktemp("gateway"))
    edit(
        tree / "aigonix.yaml",
        "  Prod:\n    recipients:\n",
        "  Prod:\n" + GATEWAY_ROUTES + "    recipients:\n",
    )
    return rendered_objects(render_tree(tree, tree.parent / "out", key), key)


def test_http_routes_set_the_tenant_of_their_hosts(
    rendered: dict[str, dict[str, Any]], behind_a_gateway: dict[str, dict[str, Any]]
) -> None:
    """Each Prod Ingress becomes an HTTPRoute of the same name: same hosts, path, Service and
    Tenant-ID, which a RequestHeaderModifier filter sets (the value a client sent is replaced)."""
    ingresses = [n for n in rendered if n.startswith("Ingress/prod-")]
    assert sorted(ingresses) == [
        "Ingress/prod-frontend-445f8ea",
        "Ingress/prod-frontend-8d3f0a4",
        "Ingress/prod-legacy",
        "Ingress/prod-orders-445f8ea",
        "Ingress/prod-orders-8d3f0a4",
    ]
    for name in ingresses:
        ingress = rendered[name]
        route = behind_a_gateway[name.replace("Ingress/", "HTTPRoute/")]
        [rule] = route["spec"]["rules"]
        [match] = rule["matches"]
        [backend] = rule["backendRefs"]
        [ingress_rule] = ingress["spec"]["rules"]
        [path] = ingress_rule["http"]["paths"]
        snippet = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/configuration-snippet"]
        assert route["spec"]["hostnames"] == [ingress_rule["host"]]
        assert match == {"path": {"type": "PathPrefix", "value": path["path"]}}
        assert backend["name"] == path["backend"]["service"]["name"]
        assert rule["filters"] == [
            {
                "type": "RequestHeaderModifier",
                "requestHeaderModifier": {"set": [{"name": "Tenant-ID", "value": snippet.split('"')[1]}]},
            }
        ]
        assert route["spec"]["parentRefs"] == [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "Gateway",
                "name": "public",
                "namespace": "gateway-system",
                "sectionName": "https",
            }
        ]
        assert "cert-manager.io/cluster-issuer" not in route["metadata"]["annotations"]
    assert not [n for n in behind_a_gateway if n.startswith("Ingress/prod-")]


def test_moving_to_a_gateway_changes_no_pod_template(
    rendered: dict[str, dict[str, Any]], behind_a_gateway: dict[str, dict[str, Any]]
) -> None:
    for name in (n for n in rendered if n.startswith(("Deployment/", "StatefulSet/"))):
        assert behind_a_gateway[name] == rendered[name], name
    policy = behind_a_gateway["NetworkPolicy/prod-orders-ingress"]["spec"]["ingress"]
    assert policy == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateway-system"}}}]}
    ]


# --- what validation says about adoption ------------------------------------------------


def test_warnings_for_what_cannot_be_adopted_as_written(tmp_path: Path) -> None:
    """An unplaceable Runtime image, Ingress settings an HTTPRoute ignores, a route that sends
    a tenant resources.json does not name, and legacy databases whose tenant no route names:
    warnings, each at the line to change."""
    tree = copy_tree(tmp_path)
    orders = tree / "applications/shop/microservices/orders/aigonix.yaml"
    edit(orders, "  image: dolittle/runtime:9.3.3", "  image: dolittle/runtime:latest")
    edit(
        tree / "aigonix.yaml",
        "  Prod:\n    recipients:\n",
        "  Prod:\n" + GATEWAY_ROUTES + "    ingress: {className: nginx}\n    recipients:\n",
    )
    edit(
        tree / "applications/shop/microservices/legacy/aigonix.yaml",
        "          tenant: 17426336-fb8e-4425-8ab7-07d488367be9",
        "          tenant: 8d3f0a4e-2b1c-4d5e-9f6a-7b8c9d0e1f2a",
    )
    result = run_line("validate", tree)
    warnings = [line for line in result.stdout.splitlines() if "probe" not in line]
    assert result.exit_code == 0, result
    assert warnings == [
        "aigonix.yaml:19:5: warning: Prod renders HTTPRoutes, so these Ingress settings have no effect"
        " (the Gateway's listeners hold the certificates)",
        "applications/shop/microservices/legacy/aigonix.yaml:21:19: warning: in Prod the route prod-legacy sends"
        " the tenant 8d3f0a4e-2b1c-4d5e-9f6a-7b8c9d0e1f2a, which resources.json does not name"
        " (17426336-fb8e-4425-8ab7-07d488367be9): the head finds no data for it",
        "applications/shop/microservices/legacy/aigonix.yaml:29:7: warning: in Prod the Runtime knows only the"
        " tenant 17426336-fb8e-4425-8ab7-07d488367be9, which no route names: set customerTenant to the customer"
        " tenant whose hosts reach it, or give ingress.routes a route that sends it",
        "applications/shop/microservices/orders/aigonix.yaml:10:10: warning: cannot tell which Runtime version"
        " 'dolittle/runtime:latest' is, so its files are rendered as for dolittle/runtime:9.3.3; use a"
        " dolittle/runtime:<version> tag, 5.0.0 or later and before 10.0.0, or state"
        " runtime.backwardsCompatibility and runtime.managementEndpoint",
    ]


@pytest.mark.parametrize(
    ("image", "management", "compatibility"),
    [
        ("dolittle/runtime:6.1.0", False, None),  # the platform's special case, Runtime v6.1.0
        ("dolittle/runtime:7.0.0", False, None),  # Management joined EndpointVisibility in v7.1.0
        ("dolittle/runtime:7.1.0", True, None),
        ("dolittle/runtime:8.0.0", True, "V7"),  # the platform's special case
        ("docker.io/dolittle/runtime:8.9.5", True, "V7"),  # required from v8.0.0 ...
        ("dolittle/runtime:9.2.2", True, "V7"),  # ... until v9.3.0 (commit 4d6926d3)
        ("dolittle/runtime:9.3.3", True, None),
    ],
)
def test_runtime_versions_get_the_files_they_need(
    image: str, management: bool, compatibility: str | None
) -> None:
    """dolittle/Runtime Source/Services/EndpointVisibility.cs (management) and
    Source/Events.Store.MongoDB/Legacy/EventSourceAndPartitionSerializer.cs (the event store's
    backwards compatibility, EventSourceBackwardsCompatibilityMustBeConfigured without it)."""
    from aigonix_render.foundation.platform import RuntimeShape, runtime_shape

    assert runtime_shape(image) == RuntimeShape(management, compatibility)


def test_recommended_labels_reach_pods_only_when_asked(tmp_path: Path, both_keys: Path) -> None:
    tree = copy_tree(tmp_path)
    edit(
        tree / "aigonix.yaml", "environments:\n", "podTemplates:\n  recommendedLabels: true\nenvironments:\n"
    )
    labelled = rendered_objects(render_tree(tree, tmp_path / "out", both_keys), both_keys)
    for name in ("Deployment/prod-orders", "StatefulSet/prod-mongo", "CronJob/prod-mongo-backup"):
        spec = labelled[name]["spec"]
        template = spec["jobTemplate"]["spec"]["template"] if "jobTemplate" in spec else spec["template"]
        assert template["metadata"]["labels"] == labelled[name]["metadata"]["labels"], name
    assert labelled["Deployment/prod-orders"]["spec"]["selector"]["matchLabels"] == {
        "tenant": "Acme_Corp",
        "application": "shop",
        "environment": "Prod",
        "microservice": "orders",
    }


def test_show_tells_which_databases_a_legacy_runtime_keeps() -> None:
    shown = yaml.safe_load(run_line("show", TREE, "legacy", "--env", "Prod").stdout)
    assert shown["runtime"] == {
        "image": "dolittle/runtime:6.1.0",
        "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "250Mi"}},
        "backwardsCompatibility": "none",
        "managementEndpoint": True,  # stated in the tree: v2.7.0 wrote it for this 6.1.0
        "legacyDatabases": {"tenant": "17426336-fb8e-4425-8ab7-07d488367be9", "prefix": "shop_prod_legacy"},
    }
    assert shown["resources"] == {}
