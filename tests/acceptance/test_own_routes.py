"""Issue 20: routes with their own name, host and tenant, and platform.json's customer name.

1. platform-api v2.7.0 made one Ingress per microservice, ``<env>-<ms>``, on the fixed host
   ``freshteapot-taco.dolittle.cloud`` (TLS secret ``freshteapot-taco-certificate``) with
   the one tenant its Runtimes knew, ``17426336-fb8e-4425-8ab7-07d488367be9`` (v2.7.0
   pkg/platform/microservice/k8s/doc.go: CreateTodoIngress, TodoCustomersTenantID;
   pkg/dolittle/k8s/ingress.go: NewIngress). ``ingress.routes`` keeps such a route under
   its name; a Runtime with ``legacyDatabases`` gets no route from the customer tenants its
   ``resources.json`` does not name.
2. The Welcome microservice's ``platform.json`` names the Studio customer name, not the
   namespace's label (platform-api v4.13.0 pkg/platform/application/k8s.go); the tree says
   so with ``platformJson.customerName``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, TESTS, run_line

from aigonix_render.commands.importer.dump import DumpSource, read_dumps
from aigonix_render.commands.importer.platform_file import platform_json
from aigonix_render.commands.importer.routes import own_route, read_route

LEDGER = "applications/shop/microservices/ledger/aigonix.yaml"
WEB = "applications/shop/microservices/web/aigonix.yaml"
LEGACY_TENANT = "17426336-fb8e-4425-8ab7-07d488367be9"
V270_ROUTE = f"""\
      routes:
        - name: prod-ledger
          host: freshteapot-taco.dolittle.cloud
          secretName: freshteapot-taco-certificate
          tenant: {LEGACY_TENANT}
"""


def _public_legacy_ledger(tree: Path, legacy: str, routes: str = V270_ROUTE) -> None:
    """Ledger public in Prod, its Runtime keeping v2.7.0's databases (``legacy``: the lines
    under legacyDatabases)."""
    path = tree / LEDGER
    path.write_text(
        path.read_text()
        + "environments:\n  Prod:\n    ingress:\n      path: /ledger\n"
        + routes
        + "    runtime:\n      legacyDatabases:\n"
        + legacy
    )


def _render(tree: Path, out: Path) -> dict[str, Any]:
    result = run_line("render", tree, "-o", out)
    assert result.exit_code == 0, result
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted((out / "shop").rglob("*.yaml"))}


def _routes(rendered: dict[str, Any], prefix: str) -> list[str]:
    return [name for name in rendered if name.startswith(prefix)]


def test_a_route_of_its_own_is_rendered_as_v270_made_it(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    """Its name, host, TLS secret and Tenant-ID; no customer tenant's hosts reach a Runtime
    that knows none of them."""
    _public_legacy_ledger(base_tree, "        prefix: shop_prod_ledger\n")
    rendered = _render(base_tree, tmp_path / "out")
    assert _routes(rendered, "ingress-prod-ledger") == ["ingress-prod-ledger.yaml"]
    ingress = rendered["ingress-prod-ledger.yaml"]
    assert ingress["metadata"]["name"] == "prod-ledger"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/configuration-snippet"] == (
        f'proxy_set_header Tenant-ID "{LEGACY_TENANT}";\n'
    )
    assert ingress["spec"] == {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": "freshteapot-taco.dolittle.cloud",
                "http": {
                    "paths": [
                        {
                            "path": "/ledger",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "prod-ledger", "port": {"name": "http"}}},
                        }
                    ]
                },
            }
        ],
        "tls": [{"hosts": ["freshteapot-taco.dolittle.cloud"], "secretName": "freshteapot-taco-certificate"}],
    }


@pytest.mark.parametrize(
    ("legacy", "routes"),
    [
        # the customer tenant chosen for the databases sends their tenant
        (
            "        prefix: shop_prod_ledger\n        customerTenant: partner\n",
            {"ingress-prod-ledger-4444444.yaml": LEGACY_TENANT},
        ),
        # a customer tenant that is the databases' tenant routes as itself
        (
            "        prefix: shop_prod_ledger\n        tenant: 33333333-3333-4333-8333-333333333333\n",
            {"ingress-prod-ledger-3333333.yaml": "33333333-3333-4333-8333-333333333333"},
        ),
        # none other: resources.json names one tenant
        ("        prefix: shop_prod_ledger\n", {}),
    ],
)
def test_customer_tenants_route_to_legacy_databases_only_as_the_tenant_they_name(
    base_tree: Path, keyed: Path, tmp_path: Path, legacy: str, routes: dict[str, str]
) -> None:
    _public_legacy_ledger(base_tree, legacy, routes="")
    rendered = _render(base_tree, tmp_path / "out")
    found = {
        name: rendered[name]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/configuration-snippet"]
        for name in _routes(rendered, "ingress-prod-ledger")
    }
    assert found == {name: f'proxy_set_header Tenant-ID "{tenant}";\n' for name, tenant in routes.items()}


def test_behind_a_gateway_a_route_of_its_own_is_an_httproute_with_its_twin(
    base_tree: Path, keyed: Path, tmp_path: Path
) -> None:
    customer = base_tree / "aigonix.yaml"
    customer.write_text(
        customer.read_text().replace(
            "  Prod:\n    production: true\n",
            "  Prod:\n    production: true\n    routes:\n      kind: gateway\n      gateway:\n"
            "        {name: public, namespace: gateway-system, httpsListener: https, httpListener: http}\n",
        )
    )
    _public_legacy_ledger(base_tree, "        prefix: shop_prod_ledger\n")
    rendered = _render(base_tree, tmp_path / "out")
    assert _routes(rendered, "httproute-prod-ledger") == [
        "httproute-prod-ledger-http.yaml",
        "httproute-prod-ledger.yaml",
    ]
    route = rendered["httproute-prod-ledger.yaml"]
    assert route["spec"]["hostnames"] == ["freshteapot-taco.dolittle.cloud"]
    [rule] = route["spec"]["rules"]
    assert rule["filters"][0]["requestHeaderModifier"] == {
        "set": [{"name": "Tenant-ID", "value": LEGACY_TENANT}]
    }
    assert rendered["httproute-prod-ledger-http.yaml"]["spec"]["hostnames"] == [
        "freshteapot-taco.dolittle.cloud"
    ]


def test_a_route_that_sends_a_tenant_resources_json_does_not_name_is_a_warning(base_tree: Path) -> None:
    """And a route of its own given for every environment is one object made twice in the
    application's one namespace (the check of the rendered objects says so)."""
    web = base_tree / WEB
    route = f"  routes:\n    - {{name: web-old, host: old.test.example, tenant: {LEGACY_TENANT}}}\n"
    web.write_text(web.read_text().replace("ingress:\n  path: /\n", "ingress:\n  path: /\n" + route))
    result = run_line("validate", base_tree)
    assert result.exit_code == 1, result
    namespace = "application-22222222-2222-4222-8222-222222222222"
    assert result.stdout.splitlines() == [
        f"{WEB}:3:7: error: Ingress web-old in namespace {namespace}: rendered twice by this microservice Web in Dev",
        f"{WEB}:3:7: error: Ingress web-old in namespace {namespace}: rendered twice by this microservice Web in Prod",
        f"{WEB}:16:55: warning: in Dev the route web-old sends the tenant {LEGACY_TENANT}, which resources.json"
        " does not name (445f8ea8-1a6f-40d7-b2fc-796dba92dc44): the head finds no data for it",
        f"{WEB}:16:55: warning: in Prod the route web-old sends the tenant {LEGACY_TENANT}, which resources.json"
        " does not name (33333333-3333-4333-8333-333333333333, 44444444-4444-4444-8444-444444444444): the head"
        " finds no data for it",
    ]


def test_the_schema_checks_a_routes_host_and_names_as_the_applications_hosts() -> None:
    """One rule in two schemas: the route's host and TLS secret are the application's."""
    ms = json.loads((REPO / "schemas/microservice.schema.json").read_text())["$defs"]["route"]["properties"]
    app = json.loads((REPO / "schemas/application.schema.json").read_text())["$defs"]
    assert {k: ms["host"][k] for k in ("pattern", "maxLength")} == {
        k: app["hostName"][k] for k in ("pattern", "maxLength")
    }
    for field in ("secretName", "name"):
        assert {k: ms[field][k] for k in ("pattern", "maxLength")} == {
            k: app["resourceName"][k] for k in ("pattern", "maxLength")
        }


# --- import ----------------------------------------------------------------------------------


def _objects(path: Path) -> dict[str, Any]:
    return {o.ref: o for o in read_dumps([DumpSource(path.name, path.read_bytes())])}


def test_import_keeps_a_v270_ingress_of_one_host_as_a_route_of_its_own() -> None:
    ingress = _objects(TESTS / "data/import/shop-dump.yaml")["Ingress/prod-legacy"]
    assert own_route(read_route(ingress)) == {
        "name": "prod-legacy",
        "host": "freshteapot-taco.dolittle.cloud",
        "secretName": "freshteapot-taco-certificate",
        "tenant": LEGACY_TENANT,
    }
    body = json.loads(json.dumps(ingress.body))
    body["spec"]["rules"].append({**body["spec"]["rules"][0], "host": "other.acme.example"})
    two_hosts = read_dumps([DumpSource("d", yaml.safe_dump(body).encode())])[0]
    assert own_route(read_route(two_hosts)) is None


def test_import_reads_the_welcomes_customer_name_where_it_is_not_the_label() -> None:
    """The Welcome's platform.json names the Studio customer "Acme Corp" (the label: Acme_Corp)."""
    objects = _objects(TESTS / "data/import/welcome-dump.yaml")
    for env in ("dev", "prod"):
        dolittle = objects[f"ConfigMap/{env}-welcome-dolittle"]
        assert platform_json(dolittle, "Acme_Corp") == {"customerName": "Acme Corp"}
        assert platform_json(dolittle, "Acme Corp") == {}
    assert platform_json(None, "Acme_Corp") == {}
    broken = objects["ConfigMap/dev-welcome-dolittle"]
    body = json.loads(json.dumps(broken.body))
    body["data"]["platform.json"] = "{not json"
    assert platform_json(read_dumps([DumpSource("d", yaml.safe_dump(body).encode())])[0], "Acme_Corp") == {}


# --- platform.json's customer name ---------------------------------------------------------


def test_platform_json_names_the_customer_the_tree_gives(
    base_tree: Path, keyed: Path, tmp_path: Path
) -> None:
    ledger = base_tree / LEDGER
    ledger.write_text(
        ledger.read_text()
        + "platformJson:\n  customerName: Test Customer\n"
        + "environments:\n  Dev:\n    platformJson: {customerName: Studio Name}\n"
    )
    out = tmp_path / "out"
    _render(base_tree, out)

    def customer(env: str, ms: str) -> str:
        configmap = yaml.safe_load((out / "shop" / env / f"configmap-{env}-{ms}-dolittle.yaml").read_text())
        name: str = json.loads(configmap["data"]["platform.json"])["customerName"]
        return name

    assert [customer("dev", "ledger"), customer("prod", "ledger"), customer("prod", "web")] == [
        "Studio Name",
        "Test Customer",
        "Test_Customer",  # the label, as the platform wrote it for microservices made through the API
    ]
