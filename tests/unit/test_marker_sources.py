"""What each output folder's line in the marker digests (issue 21): its application, the
customer file and the manifests of the applications its event horizons tie it to."""

from __future__ import annotations

from conftest import SAMPLE

from aigonix_render.commands.pipeline import valid_model
from aigonix_render.validate import application_claims
from aigonix_render.write import folder_claims, folder_sources

SHOP = ["aigonix.yaml", "registry.sops.yaml", "applications/shop/"]
WAREHOUSE = ["aigonix.yaml", "registry.sops.yaml", "applications/warehouse/"]


def test_tied_applications_read_each_others_manifests_and_delivery_reads_manifests_only() -> None:
    valid = valid_model(SAMPLE, strict=False)
    paths = ["shop/dev/a.yaml", "shop/_shared/b.yaml", "warehouse/prod/c.yaml", "_delivery/argocd/d.yaml"]
    sources = folder_sources(valid.tree, valid.model, paths)
    warehouse_manifests = [
        "applications/warehouse/aigonix.yaml",
        "applications/warehouse/microservices/inventory/aigonix.yaml",
    ]
    assert sources["shop/dev"] == sources["shop/_shared"] == [*SHOP, *warehouse_manifests]
    assert sources["warehouse/prod"][:3] == WAREHOUSE
    assert "applications/shop/microservices/orders/aigonix.yaml" in sources["warehouse/prod"]
    assert "applications/shop/" not in sources["warehouse/prod"]
    assert sources["_delivery/argocd"] == [
        "aigonix.yaml",
        "registry.sops.yaml",
        "applications/shop/aigonix.yaml",
        "applications/warehouse/aigonix.yaml",
    ]


def test_each_application_claims_its_name_id_hosts_and_microservice_ids_on_its_first_folder() -> None:
    valid = valid_model(SAMPLE, strict=False)
    claims = application_claims(valid.tree)
    placed = folder_claims(
        valid.model, ["warehouse/prod", "shop/dev", "shop/_shared", "_delivery/argocd"], claims
    )
    assert list(placed) == ["shop/_shared", "warehouse/prod"]
    assert placed["warehouse/prod"] == (
        "application id: 7d2e4f6a-8b1c-4d3e-9f5a-6b7c8d9e0f1a",
        "application name: warehouse",
        "microservice id in Dev: e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b",
        "microservice id in Prod: e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b",
    )
    shop = placed["shop/_shared"]
    hosts = [c for c in shop if c.startswith("host ")]
    assert hosts == [
        "host in Dev: shop-dev.acme.example",
        "host in Prod: partner-shop.acme.example",
        "host in Prod: shop.acme.example",
    ]
    assert len([c for c in shop if c.startswith("microservice id in Dev: ")]) == 3
