"""What each output folder's line in the marker digests (issue 21): its application, the
customer file and the manifests of the applications its event horizons tie it to."""

from __future__ import annotations

from conftest import SAMPLE

from aigonix_render.commands.pipeline import valid_model
from aigonix_render.write import folder_sources

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
