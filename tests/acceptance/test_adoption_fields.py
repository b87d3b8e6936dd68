"""What the tree carries of what the platform drew (issue 20.2): consent ids, the acr
Secret's key order and a v2.7.0 Service's target port by name; their rules, their render
and ``import`` filling them in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from adoption_case import adoption_tree, replace_once
from conftest import TESTS, public_key, run_line

from aigonix_render.commands.importer import DumpSource, ImportOptions, import_dump
from aigonix_render.render import docker_config

DUMP = TESTS / "data" / "import" / "shop-dump.yaml"
ORDERS = "applications/shop/microservices/orders/aigonix.yaml"


def test_consent_ids_of_an_environment_or_tenant_that_does_not_read_are_refused(tmp_path: Path) -> None:
    tree = adoption_tree(tmp_path)
    replace_once(
        tree / ORDERS,
        "      Dev: {default: 0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b}\n",
        "      Dev: {nobody: 0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b}\n"
        "      Test: {default: 0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b}\n",
    )
    result = run_line("validate", tree)
    assert result.exit_code == 1, result
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        f"{ORDERS}:19:13: error: in Dev no tenant 'nobody' of this application reads from shop/catalog",
        f"{ORDERS}:20:7: error: this microservice is not deployed to Test (deployed to: Dev, Prod)",
    ]


def test_a_consent_id_that_is_no_guid_is_refused(tmp_path: Path) -> None:
    tree = adoption_tree(tmp_path)
    replace_once(tree / ORDERS, "{default: 0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b}", "{default: not-a-guid}")
    result = run_line("validate", tree)
    assert result.exit_code == 1, result
    assert ": error: " in result.stdout and "not-a-guid" in result.stdout


def test_without_consent_ids_the_render_derives_them(tmp_path: Path, both_keys: Path) -> None:
    tree = adoption_tree(tmp_path)
    text = (tree / ORDERS).read_text()
    start = text.index("    consents:")
    (tree / ORDERS).write_text(text[:start] + text[text.index("env:\n", start) :])
    out = tmp_path / "out"
    result = run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(both_keys)})
    assert result.exit_code == 0, result
    config = yaml.safe_load((out / "shop/dev/configmap-dev-catalog-dolittle.yaml").read_text())
    consents = json.loads(config["data"]["event-horizon-consents.json"])
    (entry,) = consents["445f8ea8-1a6f-40d7-b2fc-796dba92dc44"]
    assert entry["consent"] != "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"


def test_the_docker_config_in_either_key_order() -> None:
    assert docker_config("r.io", "u", "p<&>") == (
        '{"auths":{"r.io":{"auth":"dTpwPCY+","password":"p<&>","username":"u"}}}'
    )
    assert docker_config("r.io", "u", "p<&>", "platform") == (
        '{"auths":{"r.io":{"username":"u","password":"p\\u003c\\u0026\\u003e","auth":"dTpwPCY+"}}}'
    )


def test_import_writes_what_the_platform_drew(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    recipients = (f"Dev={public_key('dev')}", f"Prod={public_key('prod')}")
    options = ImportOptions(tree, (DumpSource("dump.yaml", DUMP.read_bytes()),), recipients, accept_all=True)
    import_dump(options, os.environ)
    customer = yaml.safe_load((tree / "aigonix.yaml").read_text())
    assert customer["registry"]["keyOrder"] == "platform"
    orders = yaml.safe_load((tree / ORDERS).read_text())
    assert orders["eventHorizons"][0]["consents"] == {
        "Dev": {"tenant-445f8ea": "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"},
        "Prod": {
            "tenant-445f8ea": "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b",
            "tenant-8d3f0a4": "a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d",
        },
    }
    legacy = yaml.safe_load((tree / "applications/shop/microservices/legacy/aigonix.yaml").read_text())
    assert legacy["environments"]["Prod"]["head"]["serviceTargetPort"] == "name"
    assert "serviceTargetPort" not in legacy["head"]
