"""Issue 20, part B: event horizons ``import`` failed on, and the platform's list order.

``tests/data/import/horizons-dump.yaml`` adds to the shop dump what platform-api v4.13.0's
``tools eventhorizon add`` made (cmd/tools/eventhorizon/add.go): a microservice ``reports``
in Dev that reads catalog's stream from Prod (``--producer-environment``), once with the
partition ``whatever`` and once with the zero GUID, appended in that order to its
``event-horizons.json`` and, after the consent of orders, to catalog's
``event-horizon-consents.json`` in Prod: neither list is in the sorted order. The import
states the partition, the producer's environment and the order; the render gives back the
platform's files byte for byte and ``diff --live`` shows nothing. The platform made no
NetworkPolicy that lets Dev's consumer reach Prod's Runtime (so it could not connect): with
``adoption.exact`` (import writes it) the render makes none either and validation warns;
without it the render admits the consumer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TESTS, run_line
from test_import import BOTH_KEYS, as_dump, dump_items, rendered_objects, run_import

HORIZONS = TESTS / "data" / "import" / "horizons-dump.yaml"
APP = "applications/shop/microservices"
NAMESPACE = "application-0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c"
CATALOG = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
REPORTS = "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70"
TENANT = "445f8ea8-1a6f-40d7-b2fc-796dba92dc44"
STREAM = "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"
SCOPE = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
ZERO = "00000000-0000-0000-0000-000000000000"
RUNTIME_FILES = ("event-horizons.json", "event-horizon-consents.json", "microservices.json")
CONFIG_MAPS = ("dev-reports-dolittle", "prod-catalog-dolittle", "prod-orders-dolittle", "dev-orders-dolittle")


def _items() -> list[dict[str, Any]]:
    """The shop dump with the horizons dump's objects in place of those of the same kind and name."""
    added: list[dict[str, Any]] = yaml.safe_load(HORIZONS.read_bytes())["items"]
    replaced = {(i["kind"], i["metadata"]["name"]) for i in added}
    return [i for i in dump_items() if (i["kind"], i["metadata"]["name"]) not in replaced] + added


def _dumped(name: str) -> dict[str, Any]:
    return next(i for i in _items() if i["kind"] == "ConfigMap" and i["metadata"]["name"] == name)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("horizons")
    tree, out = folder / "tree", folder / "out"
    result = run_import(tree, as_dump(_items()))
    assert result.written, result.report_text()
    assert [line.text() for line in result.warnings] == []
    rendering = run_line("render", tree, "-o", out, env=BOTH_KEYS)
    assert rendering.exit_code == 0, rendering
    return tree, rendered_objects(out)


def _horizons(tree: Path, microservice: str) -> Any:
    return yaml.safe_load((tree / APP / microservice / "aigonix.yaml").read_text())["eventHorizons"]


def test_the_tree_states_the_partition_the_producers_environment_and_the_order(
    imported: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    tree, _ = imported
    producer = {"application": "shop", "microservice": "catalog", "environment": "Prod"}
    assert _horizons(tree, "reports") == [
        {
            "producer": producer,
            "stream": STREAM,
            "partition": ZERO,
            "scope": SCOPE,
            "consents": {"Dev": {"tenant-445f8ea": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"}},
            "order": {"Dev": {"tenant-445f8ea": 3}},
        },
        {
            "producer": producer,
            "stream": STREAM,
            "partition": "whatever",
            "scope": SCOPE,
            "consents": {"Dev": {"tenant-445f8ea": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}},
            "order": {"Dev": {"tenant-445f8ea": 2}},
        },
    ]
    # orders' consent came first in catalog's list in Prod; its own lists have one entry each
    assert _horizons(tree, "orders")[0]["order"] == {"Prod": {"tenant-445f8ea": 1}}


@pytest.mark.parametrize("name", CONFIG_MAPS)
def test_the_event_horizon_files_render_back_byte_for_byte(
    imported: tuple[Path, dict[str, dict[str, Any]]], name: str
) -> None:
    _, rendered = imported
    data = rendered[f"ConfigMap/{name}"]["data"]
    assert {f: data[f] for f in RUNTIME_FILES} == {f: _dumped(name)["data"][f] for f in RUNTIME_FILES}


def test_the_consumer_in_dev_reads_prods_service(imported: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    _, rendered = imported
    data = rendered["ConfigMap/dev-reports-dolittle"]["data"]
    host = f"prod-catalog.{NAMESPACE}.svc.cluster.local"
    assert json.loads(data["microservices.json"]) == {CATALOG: {"host": host, "port": 50052}}
    assert [e["partition"] for e in json.loads(data["event-horizons.json"])[TENANT]] == ["whatever", ZERO]
    consents = json.loads(rendered["ConfigMap/prod-catalog-dolittle"]["data"]["event-horizon-consents.json"])
    assert [(e["microservice"], e["partition"]) for e in consents[TENANT]] == [
        ("c5d1e2f3-4a5b-4c6d-8e7f-9a0b1c2d3e4f", ZERO),
        (REPORTS, "whatever"),
        (REPORTS, ZERO),
    ]
    assert "ConfigMap/prod-reports-dolittle" not in rendered


UNREACHABLE = (
    "warning: no NetworkPolicy admits this consumer to catalog in Prod: the platform made none within an"
    " application, and adoption.exact renders what it made; the subscription cannot connect (leave"
    " adoption.exact out to render <env>-<ms>-event-horizons for it)"
)


def test_with_exact_adoption_nothing_admits_devs_consumer_and_validation_says_so(
    imported: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    tree, rendered = imported
    assert not [name for name in rendered if name.endswith("-event-horizons")]
    result = run_line("validate", tree)
    assert result.exit_code == 0, result
    warnings = [line for line in (result.stdout + result.stderr).splitlines() if UNREACHABLE in line]
    assert len(warnings) == 2, result  # the two subscriptions of reports
    assert [w.split(": warning: ")[0] for w in warnings] == [
        f"{APP}/reports/aigonix.yaml:{line}:20" for line in (22, 35)
    ], warnings


def test_without_exact_adoption_prods_producer_admits_devs_consumer_to_the_runtime(
    imported: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(imported[0], tree)
    customer = tree / "aigonix.yaml"
    document = yaml.safe_load(customer.read_text())
    assert document.pop("adoption") == {"exact": True}
    customer.write_text(yaml.safe_dump(document, sort_keys=False))
    out = tmp_path / "out"
    assert run_line("render", tree, "-o", out, env=BOTH_KEYS).exit_code == 0
    rendered = rendered_objects(out)
    policy = rendered["NetworkPolicy/prod-catalog-event-horizons"]
    peer = {
        "namespaceSelector": {"matchLabels": {"application": "shop", "tenant": "Acme_Corp"}},
        "podSelector": {"matchLabels": {"environment": "Dev", "microservice": "reports"}},
    }
    assert policy["spec"]["ingress"] == [{"from": [peer], "ports": [{"port": 50052, "protocol": "TCP"}]}]
    assert "NetworkPolicy/dev-catalog-event-horizons" not in rendered


def test_diff_live_shows_nothing(imported: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path) -> None:
    tree, _ = imported
    live = tmp_path / "live.yaml"
    live.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": _items()}, allow_unicode=True)
    )
    result = run_line("diff", "--live", live, tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    changes = [line for line in result.stdout.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert changes == [], result.stdout
    assert result.stdout.startswith("no difference"), result.stdout


def test_without_order_the_lists_are_sorted(
    imported: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    """New trees keep today's order: a tree that states no ``order`` renders sorted lists."""
    tree = tmp_path / "tree"
    shutil.copytree(imported[0], tree)
    for microservice in ("reports", "orders"):
        path = tree / APP / microservice / "aigonix.yaml"
        document = yaml.safe_load(path.read_text())
        for entry in document["eventHorizons"]:
            entry.pop("order")
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    out = tmp_path / "out"
    assert run_line("render", tree, "-o", out, env=BOTH_KEYS).exit_code == 0
    rendered = rendered_objects(out)
    horizons = json.loads(rendered["ConfigMap/dev-reports-dolittle"]["data"]["event-horizons.json"])
    assert [e["partition"] for e in horizons[TENANT]] == [ZERO, "whatever"]
    consents = json.loads(rendered["ConfigMap/prod-catalog-dolittle"]["data"]["event-horizon-consents.json"])
    assert [e["consent"] for e in consents[TENANT]] == [
        "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
        "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b",
    ]
