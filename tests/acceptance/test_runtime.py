"""The Dolittle Runtime's objects for the test tree's Runtime microservices: Ledger (a
producer) and Audit (its consumer), in Prod with two customer tenants."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_line

PROD = ("33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444")
LEDGER = "77777777-7777-4777-8777-777777777777"
AUDIT = "88888888-8888-4888-8888-888888888888"
NAMESPACE = "application-22222222-2222-4222-8222-222222222222"
MONGO = f"prod-mongo.{NAMESPACE}.svc.cluster.local"
STREAM = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
PARTITION = "00000000-0000-0000-0000-000000000000"
SCOPE = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


@pytest.fixture
def out(rendered: Path) -> Path:
    return rendered


def load(out: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((out / "shop" / "prod" / name).read_text())
    return document


def runtime_file(out: Path, ms: str, name: str) -> Any:
    return json.loads(load(out, f"configmap-prod-{ms}-dolittle.yaml")["data"][name])


def test_resources_json_per_tenant_with_the_database_prefix_rule(out: Path) -> None:
    assert runtime_file(out, "ledger", "resources.json") == {
        tenant: {
            "readModels": {
                "host": f"mongodb://{MONGO}:27017",
                "database": f"7777777_{tenant[:7]}_readmodels",
                "useSSL": False,
            },
            "eventStore": {"servers": [MONGO], "database": f"7777777_{tenant[:7]}_eventstore"},
            "projections": {"servers": [MONGO], "database": f"7777777_{tenant[:7]}_projections"},
            "embeddings": {"servers": [MONGO], "database": f"7777777_{tenant[:7]}_embeddings"},
        }
        for tenant in PROD
    }


def test_fixed_runtime_files(out: Path) -> None:
    assert runtime_file(out, "ledger", "endpoints.json") == {
        "public": {"port": 50052},
        "private": {"port": 50053},
        "management": {"port": 51052},
    }
    assert runtime_file(out, "ledger", "metrics.json") == {"port": 9700}
    # The platform's ConfigMap had no clients.json (the head mounts the path all the same).
    assert "clients.json" not in load(out, "configmap-prod-ledger-dolittle.yaml")["data"]
    assert runtime_file(out, "ledger", "appsettings.json")["Logging"]["LogLevel"]["Default"] == "Debug"
    assert runtime_file(out, "ledger", "platform.json") == {
        "applicationName": "shop",
        "applicationID": "22222222-2222-4222-8222-222222222222",
        "microserviceName": "Ledger",
        "microserviceID": LEDGER,
        "customerName": "Test_Customer",
        "customerID": "11111111-1111-4111-8111-111111111111",
        "environment": "Prod",
    }


def test_event_horizon_on_both_sides(out: Path) -> None:
    consents = runtime_file(out, "ledger", "event-horizon-consents.json")
    assert sorted(consents) == sorted(PROD)
    for tenant in PROD:
        [consent] = consents[tenant]
        assert {k: v for k, v in consent.items() if k != "consent"} == {
            "microservice": AUDIT,
            "tenant": tenant,
            "stream": STREAM,
            "partition": PARTITION,
        }
    assert consents[PROD[0]][0]["consent"] != consents[PROD[1]][0]["consent"]
    assert runtime_file(out, "audit", "event-horizons.json") == {
        tenant: [
            {
                "scope": SCOPE,
                "microservice": LEDGER,
                "tenant": tenant,
                "stream": STREAM,
                "partition": PARTITION,
            }
        ]
        for tenant in PROD
    }
    assert runtime_file(out, "audit", "microservices.json") == {
        LEDGER: {"host": f"prod-ledger.{NAMESPACE}.svc.cluster.local", "port": 50052}
    }
    assert runtime_file(out, "audit", "event-horizon-consents.json") == {}
    assert runtime_file(out, "ledger", "event-horizons.json") == {}


def test_a_consumer_in_the_same_application_needs_no_policy(out: Path) -> None:
    """As on the platform, only consumers in other applications get the producer's policy:
    the ``<env>`` policy admits every pod of the environment already."""
    assert not (out / "shop/prod/networkpolicy-prod-ledger-event-horizons.yaml").exists()
    [rule] = load(out, "networkpolicy-prod.yaml")["spec"]["ingress"]
    assert rule["from"][0] == {
        "podSelector": {
            "matchLabels": {"tenant": "Test_Customer", "application": "shop", "environment": "Prod"}
        }
    }


def test_runtime_sidecar_and_mounts(out: Path) -> None:
    pod = load(out, "deployment-prod-ledger.yaml")["spec"]["template"]["spec"]
    head, runtime = pod["containers"]
    assert (head["name"], runtime["name"], runtime["image"]) == ("head", "runtime", "dolittle/runtime:9.3.3")
    assert [(p["name"], p["containerPort"]) for p in runtime["ports"]] == [
        ("runtime", 50052),
        ("runtime-metrics", 9700),
    ]
    assert [m["mountPath"] for m in head["volumeMounts"]] == [
        "/app/.dolittle/tenants.json",
        "/app/.dolittle/resources.json",
        "/app/.dolittle/clients.json",
        "/app/.dolittle/event-horizons.json",
        "/app/data",
    ]
    assert {m["mountPath"]: m["subPath"] for m in runtime["volumeMounts"]} == {
        "/app/.dolittle/tenants.json": "tenants.json",
        "/app/.dolittle/resources.json": "resources.json",
        "/app/.dolittle/endpoints.json": "endpoints.json",
        "/app/.dolittle/event-horizon-consents.json": "event-horizon-consents.json",
        "/app/.dolittle/microservices.json": "microservices.json",
        "/app/.dolittle/platform.json": "platform.json",
        "/app/appsettings.json": "appsettings.json",
    }
    assert runtime["resources"] == {
        "limits": {"cpu": "2", "memory": "1Gi"},
        "requests": {"cpu": "50m", "memory": "256Mi"},
    }
    assert {v["name"]: v["configMap"]["name"] for v in pod["volumes"]} == {
        "tenants-config": "prod-tenants",
        "dolittle-config": "prod-ledger-dolittle",
        "config-files": "prod-ledger-config-files",
    }
    ports = load(out, "service-prod-ledger.yaml")["spec"]["ports"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in ports] == [
        ("http", 80, 80),
        ("runtime", 50052, "runtime"),
    ]


def test_a_head_without_the_runtime_keeps_the_platforms_mounts(out: Path) -> None:
    """platform-api v4.13.0 pkg/dolittle/k8s/deployment.go mounts the Dolittle files into
    every head, and configmaps.go makes the ``-dolittle`` ConfigMap for every microservice."""
    pod = load(out, "deployment-prod-web.yaml")["spec"]["template"]["spec"]
    [head] = pod["containers"]
    assert [v["name"] for v in pod["volumes"]] == ["tenants-config", "dolittle-config", "config-files"]
    assert [m["mountPath"] for m in head["volumeMounts"]][:2] == [
        "/app/.dolittle/tenants.json",
        "/app/.dolittle/resources.json",
    ]
    assert head["envFrom"][1] == {"secretRef": {"name": "prod-web-secret-env-variables"}}
    secret = load(out, "secret-prod-web-secret-env-variables.yaml")
    assert (sorted(secret), secret["type"]) == (["apiVersion", "kind", "metadata", "type"], "Opaque")
    assert sorted(runtime_file(out, "web", "resources.json")) == sorted(PROD)


def test_tenants_and_event_store(out: Path) -> None:
    tenants = json.loads(load(out, "configmap-prod-tenants.yaml")["data"]["tenants.json"])
    assert tenants == {tenant: {} for tenant in PROD}
    service = load(out, "service-prod-mongo.yaml")
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"]["infrastructure"] == "Mongo"
    mongo = load(out, "statefulset-prod-mongo.yaml")["spec"]
    assert mongo["serviceName"] == "prod-mongo"
    container = mongo["template"]["spec"]["containers"][0]
    assert (container["image"], container["resources"]["requests"]["cpu"]) == (
        "dolittle/mongodb:4.2.2",
        "100m",
    )
    claim = mongo["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "prod-mongo-storage"
    assert claim["spec"]["storageClassName"] == "managed-premium"
    assert claim["spec"]["resources"]["requests"]["storage"] == "8Gi"


def test_no_event_store_without_the_runtime(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    for name in ("ledger", "audit"):
        shutil.rmtree(base_tree / "applications/shop/microservices" / name)
    result = run_line("render", base_tree, "-o", tmp_path / "out")
    assert result.exit_code == 0, result
    assert not list((tmp_path / "out").rglob("*mongo*"))
    assert (tmp_path / "out/shop/prod/configmap-prod-tenants.yaml").exists()


def test_backup_cronjob_when_configured(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    app = base_tree / "applications/shop/aigonix.yaml"
    app.write_text(app.read_text() + "eventStore:\n  backup:\n    claimName: backups\n")
    result = run_line("render", base_tree, "-o", tmp_path / "out")
    assert result.exit_code == 0, result
    cron = yaml.safe_load((tmp_path / "out/shop/prod/cronjob-prod-mongo-backup.yaml").read_text())
    minute, *rest = cron["spec"]["schedule"].split()
    assert 0 <= int(minute) < 60 and rest == ["*", "*", "*", "*"]
    job = cron["spec"]["jobTemplate"]["spec"]
    assert job["activeDeadlineSeconds"] == 600
    [container] = job["template"]["spec"]["containers"]
    assert container["command"] == ["bash", "-c"]
    assert container["args"] == [
        f"mongodump --host={MONGO}:27017 --gzip --archive=/mnt/backup/shop-prod-$(date +%Y-%m-%d_%H-%M-%S).gz.mongodump"
    ]
    assert job["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "backups"
    assert container["volumeMounts"] == [{"name": "backup-storage", "mountPath": "/mnt/backup/"}]


def test_reordering_microservices_and_subscriptions_changes_no_byte(
    base_tree: Path, keyed: Path, tmp_path: Path
) -> None:
    audit = base_tree / "applications/shop/microservices/audit/aigonix.yaml"
    ledger = base_tree / "applications/shop/microservices/ledger/aigonix.yaml"
    ledger.write_text(ledger.read_text() + "    - cccccccc-cccc-4ccc-8ccc-cccccccccccc\n")
    second = (
        "  - producer: {application: shop, microservice: Ledger}\n"
        "    stream: cccccccc-cccc-4ccc-8ccc-cccccccccccc\n"
        f"    partition: {PARTITION}\n"
        f"    scope: {SCOPE}\n"
    )
    first = audit.read_text().split("eventHorizons:\n")
    audit.write_text(first[0] + "eventHorizons:\n" + first[1] + second)
    before = tmp_path / "before"
    assert run_line("render", base_tree, "-o", before).exit_code == 0
    audit.write_text(first[0] + "eventHorizons:\n" + second + first[1])
    moved = base_tree / "applications/shop/microservices/zz-audit"
    audit.parent.rename(moved)
    after = tmp_path / "after"
    assert run_line("render", base_tree, "-o", after).exit_code == 0
    assert _plain_files(before) == _plain_files(after)
    assert (
        len(
            json.loads(
                yaml.safe_load((after / "shop/prod/configmap-prod-audit-dolittle.yaml").read_text())["data"][
                    "event-horizons.json"
                ]
            )[PROD[0]]
        )
        == 2
    )


def _plain_files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*.yaml")
        if not p.name.startswith("secret-")
    }
