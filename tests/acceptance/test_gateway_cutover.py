"""Moving an environment from ingress-nginx to a Gateway without an outage: ``routes: {kind:
both}`` renders each public microservice's Ingress (byte for byte the one ingress-nginx
routes render, so the running one is adopted, not replaced) and its HTTPRoute (byte for
byte the one gateway routes render), and the heads' NetworkPolicy admits both data planes.
With ``httpListener`` each route gets a twin on that listener that redirects to HTTPS.
The v2.7.0 legacy route (a Runtime with legacy databases) keeps its one tenant's header
in both kinds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEMO_KEY, KEYS, SAMPLE, TESTS, render_tree, run_line

from aigonix_render.check.routes import http_route_findings

ADOPTION = TESTS / "cases" / "adoption"
PROD_ROUTES = """    routes:
      kind: gateway
      gateway:
        name: public
        namespace: gateway-system
        sectionName: https # the listener to attach to; leave out for all that allow the routes
        dataPlane: # where the Gateway's proxy pods run, for the heads' NetworkPolicy
          namespace: gateway-system
          podLabels:
            gateway.networking.k8s.io/gateway-name: public
"""


def sample_with(tmp_path: Path, name: str, routes: str) -> Path:
    """The sample tree whose Prod routes read ``routes`` (the lines under ``routes:``)."""
    tree = tmp_path / name
    shutil.copytree(SAMPLE, tree)
    customer = tree / "aigonix.yaml"
    text = customer.read_text()
    assert PROD_ROUTES in text
    customer.write_text(text.replace(PROD_ROUTES, "    routes:\n" + routes))
    return tree


def files(out: Path, pattern: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((out / "shop" / "prod").glob(pattern))}


GATEWAY = """      gateway:
        name: public
        namespace: gateway-system
        {listeners}
        dataPlane:
          namespace: gateway-system
          podLabels:
            gateway.networking.k8s.io/gateway-name: public
"""


def gateway(listeners: str = "httpsListener: https") -> str:
    return GATEWAY.format(listeners=listeners)


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample rendered with Prod on each kind, and on both with an HTTP listener."""
    base = tmp_path_factory.mktemp("cutover")
    kinds = {
        "nginx": "      kind: ingress-nginx\n",
        "gateway": "      kind: gateway\n" + gateway(),
        "both": "      kind: both\n" + gateway(),
        "redirect": "      kind: both\n" + gateway("httpsListener: https\n        httpListener: http"),
    }
    return {
        name: render_tree(sample_with(base, name, routes), base / f"out-{name}", DEMO_KEY)
        for name, routes in kinds.items()
    }


def test_both_renders_the_ingress_and_the_http_route_of_each_public_microservice(
    renders: dict[str, Path],
) -> None:
    ingresses = files(renders["both"], "ingress-*.yaml")
    routes = files(renders["both"], "httproute-*.yaml")
    assert list(ingresses) == ["ingress-prod-web-0aaf690.yaml", "ingress-prod-web-169796a.yaml"]
    assert list(routes) == ["httproute-prod-web-0aaf690.yaml", "httproute-prod-web-169796a.yaml"]
    # The same bytes as each kind alone: the running Ingress is adopted, not replaced.
    assert ingresses == files(renders["nginx"], "ingress-*.yaml")
    assert routes == files(renders["gateway"], "httproute-*.yaml")
    assert files(renders["gateway"], "ingress-*.yaml") == {}


def test_both_admits_both_data_planes_to_the_heads(renders: dict[str, Path]) -> None:
    policy = yaml.safe_load(files(renders["both"], "networkpolicy-prod-web-ingress.yaml").popitem()[1])
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"system": "Ingress"}},
                    "podSelector": {"matchLabels": {"ingress": "Nginx", "system": "Ingress"}},
                },
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateway-system"}},
                    "podSelector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "public"}},
                },
            ]
        }
    ]


def test_the_redirect_route_exists_only_with_the_http_listener_named(renders: dict[str, Path]) -> None:
    for name in ("gateway", "both"):
        assert [f for f in files(renders[name], "httproute-*") if f.endswith("-http.yaml")] == []
    routes = files(renders["redirect"], "httproute-*.yaml")
    assert list(routes) == [
        "httproute-prod-web-0aaf690-http.yaml",
        "httproute-prod-web-0aaf690.yaml",
        "httproute-prod-web-169796a-http.yaml",
        "httproute-prod-web-169796a.yaml",
    ]
    redirect = yaml.safe_load(routes["httproute-prod-web-0aaf690-http.yaml"])
    tls = yaml.safe_load(routes["httproute-prod-web-0aaf690.yaml"])
    assert redirect["metadata"]["labels"] == tls["metadata"]["labels"]
    assert redirect["spec"] == {
        "parentRefs": [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "Gateway",
                "name": "public",
                "namespace": "gateway-system",
                "sectionName": "http",
            }
        ],
        "hostnames": tls["spec"]["hostnames"],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "filters": [
                    {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                ],
            }
        ],
    }
    assert tls["spec"]["parentRefs"][0]["sectionName"] == "https"


def test_the_redirect_route_passes_the_check_and_a_backend_beside_it_does_not(
    renders: dict[str, Path],
) -> None:
    redirect = yaml.safe_load(files(renders["redirect"], "*-0aaf690-http.yaml").popitem()[1])
    assert list(http_route_findings(redirect["spec"])) == []
    redirect["spec"]["rules"][0]["backendRefs"] = [{"name": "prod-web", "port": 80}]
    [finding] = http_route_findings(redirect["spec"])
    assert (finding.field, finding.message) == (
        "spec.rules[0].filters",
        "RequestRedirect filter must not be used together with backendRefs",
    )


def test_section_name_still_names_the_https_listener(tmp_path: Path) -> None:
    """Trees written before httpsListener keep their output: sectionName is its older name."""
    tree = sample_with(tmp_path, "old", PROD_ROUTES.split("\n", 1)[1])
    newer = sample_with(
        tmp_path, "new", PROD_ROUTES.split("\n", 1)[1].replace("sectionName", "httpsListener")
    )
    old = render_tree(tree, tmp_path / "old-out", DEMO_KEY)
    new = render_tree(newer, tmp_path / "new-out", DEMO_KEY)
    assert files(old, "httproute-*.yaml") == files(new, "httproute-*.yaml")
    assert "sectionName: https" in files(old, "httproute-*.yaml")["httproute-prod-web-0aaf690.yaml"]


LISTENER_CASES = {
    "http without https": (
        "      kind: both\n" + gateway("httpListener: http"),
        "aigonix.yaml:{line}:9: error: httpListener needs httpsListener: without it the routes attach to"
        " every listener, the HTTP one too, and serve plain HTTP instead of redirecting it\n",
        "httpListener",
    ),
    "the same listener": (
        "      kind: gateway\n" + gateway("httpsListener: web\n        httpListener: web"),
        "aigonix.yaml:{line}:23: error: httpListener and httpsListener are both 'web': the redirect needs a"
        " listener of its own\n",
        "httpListener",
    ),
    "both names of the https listener": (
        "      kind: both\n" + gateway("httpsListener: https\n        sectionName: https"),
        "aigonix.yaml:{line}:9: error: httpsListener is the newer name of sectionName: give one of them\n",
        "sectionName",
    ),
    "both without a gateway": (
        "      kind: both\n",
        "aigonix.yaml:{line}:5: error: routes of kind both attach to a Gateway: add gateway: {{name, namespace}}\n",
        "routes:",
    ),
}


@pytest.mark.parametrize("case", LISTENER_CASES, ids=list(LISTENER_CASES))
def test_listener_rules(case: str, tmp_path: Path) -> None:
    routes, expected, key = LISTENER_CASES[case]
    tree = sample_with(tmp_path, "tree", routes)
    lines = (tree / "aigonix.yaml").read_text().splitlines()
    prod = lines.index("  Prod:")
    line = next(i for i, text in enumerate(lines[prod:], prod + 1) if text.strip().startswith(key))
    result = run_line("validate", tree)
    assert result.exit_code == 1, result
    assert result.stdout == expected.format(line=line), result


def test_both_with_ingress_settings_is_valid_without_warnings(tmp_path: Path) -> None:
    """Unlike kind gateway, both renders Ingresses: their settings take effect."""
    tree = sample_with(tmp_path, "tree", "      kind: both\n" + gateway())
    customer = tree / "aigonix.yaml"
    customer.write_text(
        customer.read_text().replace(
            "    cluster:\n      name: prod",
            "    ingress: {className: nginx}\n    cluster:\n      name: prod",
        )
    )
    result = run_line("validate", "--strict", tree)
    assert result.exit_code == 0, result
    assert result.stdout == ""


# --- the v2.7.0 legacy route ------------------------------------------------------------------


def adoption_with(tmp_path: Path, name: str, routes: str) -> Path:
    tree = tmp_path / name
    shutil.copytree(ADOPTION, tree)
    customer = tree / "aigonix.yaml"
    prod = "  Prod:\n    recipients:\n"
    assert prod in customer.read_text()
    customer.write_text(
        customer.read_text().replace(prod, f"  Prod:\n    routes:\n{routes}    recipients:\n")
    )
    return tree


def legacy_routes(out: Path) -> dict[str, Any]:
    folder = out / "shop" / "prod"
    found = [*folder.glob("ingress-prod-legacy*.yaml"), *folder.glob("httproute-prod-legacy*.yaml")]
    return {p.name: p.read_text() for p in sorted(found)}


def test_the_legacy_route_sends_its_one_tenant_in_both_kinds(tmp_path: Path) -> None:
    key = tmp_path / "keys"
    key.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    nginx = render_tree(ADOPTION, tmp_path / "out-nginx", key)
    both_tree = adoption_with(
        tmp_path, "both", "      kind: both\n" + gateway("httpsListener: https\n        httpListener: http")
    )
    both = render_tree(both_tree, tmp_path / "out-both", key)
    routes = legacy_routes(both)
    # Only its route of its own (ingress.routes: v2.7.0's Ingress), no customer tenant's.
    assert list(routes) == [
        "httproute-prod-legacy-http.yaml",
        "httproute-prod-legacy.yaml",
        "ingress-prod-legacy.yaml",
    ]
    assert routes["ingress-prod-legacy.yaml"] == legacy_routes(nginx)["ingress-prod-legacy.yaml"]
    route = yaml.safe_load(routes["httproute-prod-legacy.yaml"])
    [rule] = route["spec"]["rules"]
    assert rule["filters"] == [
        {
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {
                "set": [{"name": "Tenant-ID", "value": "17426336-fb8e-4425-8ab7-07d488367be9"}]
            },
        }
    ]
    assert route["spec"]["hostnames"] == ["freshteapot-taco.dolittle.cloud"]
    redirect = yaml.safe_load(routes["httproute-prod-legacy-http.yaml"])
    assert redirect["spec"]["hostnames"] == ["freshteapot-taco.dolittle.cloud"]
    assert redirect["spec"]["rules"][0]["matches"] == rule["matches"]
