"""names.py: every platform name, built once, and Kubernetes' rules for names."""

from __future__ import annotations

import pytest

from aigonix_render.foundation import names

APP_ID = "0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c"


def test_the_platforms_object_names() -> None:
    assert names.namespace(APP_ID) == f"application-{APP_ID}"
    assert names.workload("Prod", "Orders") == "prod-orders"
    assert [
        names.env_variables("Prod", "Orders"),
        names.config_files("Prod", "Orders"),
        names.dolittle_config("Prod", "Orders"),
        names.secret_env_variables("Prod", "Orders"),
        names.ingress_policy("Prod", "Orders"),
        names.event_horizons_policy("Prod", "Orders"),
    ] == [
        "prod-orders-env-variables",
        "prod-orders-config-files",
        "prod-orders-dolittle",
        "prod-orders-secret-env-variables",
        "prod-orders-ingress",
        "prod-orders-event-horizons",
    ]
    assert names.route("Prod", "Orders", "445F8EA8-1a6f-40d7-b2fc-796dba92dc44") == "prod-orders-445f8ea"
    assert (names.tenants_config("Dev"), names.mongo("Dev"), names.mongo_storage("Dev")) == (
        "dev-tenants",
        "dev-mongo",
        "dev-mongo-storage",
    )
    assert names.mongo_host("Dev", APP_ID) == f"dev-mongo.application-{APP_ID}.svc.cluster.local"
    assert names.service_host("Dev", "Orders", APP_ID) == f"dev-orders.application-{APP_ID}.svc.cluster.local"


def test_derived_names() -> None:
    assert names.customer_label("Acme Corp Ltd") == "Acme_Corp_Ltd"
    assert names.tls_secret("*.Shop.example", None) == "wildcard.shop.example-tls"
    assert names.tls_secret("shop.example", "mine") == "mine"
    assert names.database_prefix("7C9E6679-7425", "445F8EA8-1a6f") == "7c9e667_445f8ea"


@pytest.mark.parametrize(
    ("rule", "value", "why"),
    [
        (names.dns1123_label, "prod-orders", None),
        (names.dns1123_label, "Prod", "not a DNS-1123 label"),
        (names.dns1123_label, "a" * 64, "longer than 63 characters (64)"),
        (names.dns1035_label, "1orders", "not a DNS-1035 label"),
        (names.dns1123_subdomain, "shop.example-tls", None),
        (names.label_value, "Acme_&_Co", "a label value allows only"),
        (names.config_map_key, "..data", "'.', '..' and names starting with '..' are reserved"),
        (names.env_var_name, "1ABC", "an environment variable name allows"),
    ],
)
def test_kubernetes_name_rules(rule: object, value: str, why: str | None) -> None:
    assert callable(rule)
    found = rule(value)
    assert (found is None) if why is None else (found is not None and found.startswith(why)), found
