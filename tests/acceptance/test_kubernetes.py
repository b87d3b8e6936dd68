"""Every rendered object against the Kubernetes OpenAPI schemas (strict), Gateway API
objects against the Gateway API's own CRD schemas (strict), every output directory through
``kubectl kustomize``, and every Secret taken from kustomize's output
and decrypted with sops and only its environment's key, as Flux's kustomize-controller does.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEMO_KEY, KEYS, SAMPLE, public_key, render_tree, sops_decrypt
from gateway_api import validate_strictly
from hostile import HOSTILE_ENV, HOSTILE_SECRETS, hostile_tree

KUBERNETES_VERSIONS = ("1.29.0", "1.33.0")
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed on this machine")


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_tree(SAMPLE, tmp_path_factory.mktemp("k8s") / "sample", DEMO_KEY)


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    tree, key = hostile_tree(base)
    return render_tree(tree, base / "out", key), key


@pytest.fixture(scope="module")
def cutover_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with Prod on both route kinds and a Gateway HTTP listener (the DNS move)."""
    tree = tmp_path_factory.mktemp("cutover") / "sample"
    shutil.copytree(SAMPLE, tree)
    customer = tree / "aigonix.yaml"
    text = customer.read_text().replace("      kind: gateway\n", "      kind: both\n")
    text = text.replace(
        "        sectionName: https", "        httpListener: http\n        httpsListener: https"
    )
    customer.write_text(text)
    return render_tree(tree, tree.parent / "out", DEMO_KEY)


def kustomize_dirs(out: Path) -> list[Path]:
    """The Kubernetes output directories (the delivery objects are CRDs, tested apart)."""
    return sorted(p.parent for p in out.rglob("kustomization.yaml") if "_delivery" not in p.parts)


def objects(out: Path, key: Path) -> list[dict[str, Any]]:
    """Every rendered object, Secrets decrypted as the cluster receives them."""
    found = []
    for folder in kustomize_dirs(out):
        for name in yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"]:
            text = (folder / name).read_text()
            found.append(yaml.safe_load(sops_decrypt(folder / name, key) if "\nsops:\n" in text else text))
    return found


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_sample_objects_pass_strict_schemas(sample_out: Path, version: str) -> None:
    rendered = objects(sample_out, DEMO_KEY)
    assert {o["kind"] for o in rendered} >= {
        "StatefulSet",
        "CronJob",
        "Role",
        "RoleBinding",
        "ServiceAccount",
        "Namespace",
        "Secret",
        "ConfigMap",
        "Deployment",
        "Service",
        "Ingress",
        "HTTPRoute",
        "NetworkPolicy",
    }
    for obj in rendered:
        validate_strictly(obj, version)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_hostile_objects_pass_strict_schemas(hostile_out: tuple[Path, Path], version: str) -> None:
    out, key = hostile_out
    for obj in objects(out, key):
        validate_strictly(obj, version)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_cutover_objects_pass_strict_schemas(cutover_out: Path, version: str) -> None:
    rendered = objects(cutover_out, DEMO_KEY)
    prod = {
        (o["kind"], o["metadata"]["name"])
        for o in rendered
        if o["metadata"].get("name", "").startswith("prod-web")
    }
    assert {
        ("Ingress", "prod-web-0aaf690"),
        ("HTTPRoute", "prod-web-0aaf690"),
        ("HTTPRoute", "prod-web-0aaf690-http"),
        ("NetworkPolicy", "prod-web-ingress"),
    } <= prod
    for obj in rendered:
        validate_strictly(obj, version)


@needs_kubectl
def test_kustomize_builds_every_cutover_directory(cutover_out: Path) -> None:
    for folder in kustomize_dirs(cutover_out):
        listed = yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"]
        assert len(kustomize(folder)) == len(listed)


def test_no_object_appears_twice(sample_out: Path) -> None:
    identities = [
        (o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
        for o in objects(sample_out, DEMO_KEY)
    ]
    assert len(identities) == len(set(identities))


def kustomize(folder: Path) -> list[dict[str, Any]]:
    assert KUBECTL is not None
    result = subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"kubectl kustomize {folder} failed: {result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@needs_kubectl
def test_kustomize_builds_every_sample_directory(sample_out: Path) -> None:
    folders = kustomize_dirs(sample_out)
    assert [f.relative_to(sample_out).as_posix() for f in folders] == [
        "shop/_shared",
        "shop/dev",
        "shop/prod",
        "warehouse/_shared",
        "warehouse/dev",
        "warehouse/prod",
    ]
    for folder in folders:
        built = kustomize(folder)
        listed = yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"]
        assert len(built) == len(listed)


def flux_secrets(folder: Path, key: Path) -> dict[str, dict[str, str]]:
    """Secrets as Flux sees them: from ``kubectl kustomize`` output, decrypted with sops
    where they carry sops metadata (an empty Secret has nothing to encrypt, and Flux's
    kustomize-controller passes a Secret without it through)."""
    secrets = {}
    for obj in kustomize(folder):
        if obj["kind"] == "Secret" and "sops" in obj:
            plain = yaml.safe_load(sops_decrypt("kustomize output", key, yaml.safe_dump(obj)))
            secrets[plain["metadata"]["name"]] = plain.get("stringData", {})
        elif obj["kind"] == "Secret":
            assert set(obj) == {"apiVersion", "kind", "metadata", "type"}, obj["metadata"]["name"]
    return secrets


@needs_kubectl
def test_sample_secrets_decrypt_from_kustomize_output(sample_out: Path) -> None:
    prod = flux_secrets(sample_out / "shop" / "prod", DEMO_KEY)
    source = yaml.safe_load(
        sops_decrypt(
            SAMPLE / "applications/shop/microservices/billing/environments/Prod/secrets.yaml",
            DEMO_KEY,
        )
    )
    assert prod == {"prod-billing-secret-env-variables": source}
    shared = flux_secrets(sample_out / "shop" / "_shared", DEMO_KEY)
    registry = yaml.safe_load(sops_decrypt(SAMPLE / "registry.sops.yaml", DEMO_KEY))
    config = json.loads(shared["acr"][".dockerconfigjson"])
    entry = config["auths"]["acmecorp.azurecr.io"]
    assert (entry["username"], entry["password"]) == (registry["username"], registry["password"])
    assert base64.b64decode(entry["auth"]).decode() == f"{registry['username']}:{registry['password']}"


@needs_kubectl
def test_hostile_values_survive_kustomize_and_sops(hostile_out: tuple[Path, Path]) -> None:
    out, _ = hostile_out
    for env, key in (("dev", KEYS / "dev.agekey"), ("prod", KEYS / "prod.agekey")):
        secrets = flux_secrets(out / "shop" / env, key)
        assert secrets[f"{env}-billing-secret-env-variables"] == HOSTILE_SECRETS[env]
        built = {o["metadata"]["name"]: o for o in kustomize(out / "shop" / env)}
        assert built[f"{env}-web-env-variables"]["data"] == HOSTILE_ENV


@needs_kubectl
def test_each_environment_is_sealed_for_its_own_recipients_only(
    hostile_out: tuple[Path, Path],
) -> None:
    out, _ = hostile_out
    sealed = yaml.safe_load((out / "shop/dev/secret-dev-billing-secret-env-variables.yaml").read_text())
    assert [r["recipient"] for r in sealed["sops"]["age"]] == [public_key("dev")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env["SOPS_AGE_KEY_FILE"] = str(KEYS / "prod.agekey")
    from aigonix_render.seal.sops import find_sops

    refused = subprocess.run(
        [
            find_sops(),
            "decrypt",
            str(out / "shop/dev/secret-dev-billing-secret-env-variables.yaml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert refused.returncode != 0
    assert HOSTILE_SECRETS["dev"]["DB_PASSWORD"] not in refused.stdout + refused.stderr


def test_secrets_are_sorted_at_every_level_before_sealing(sample_out: Path) -> None:
    from ruamel.yaml import YAML

    def sorted_everywhere(node: object) -> bool:
        if isinstance(node, dict):
            keys = [k for k in node if k != "sops"]
            return keys == sorted(keys) and all(sorted_everywhere(node[k]) for k in keys)
        return True

    for path in sample_out.rglob("secret-*.yaml"):
        assert sorted_everywhere(YAML(typ="rt").load(path.read_text())), path


@needs_kubectl
def test_flux_bootstraps_each_cluster_from_one_path(sample_out: Path) -> None:
    """What Flux does: build the cluster's path, then every Kustomization's path, then
    decrypt each Secret with sops (the demo key is every sample environment's key)."""
    for cluster, environment in (("dev", "dev"), ("prod", "prod")):
        kustomizations = kustomize(sample_out / "_delivery" / "flux" / cluster)
        assert sorted(k["metadata"]["name"] for k in kustomizations) == sorted(
            [f"shop-{environment}", "shop-shared", f"warehouse-{environment}", "warehouse-shared"]
        )
        for kustomization in kustomizations:
            spec = kustomization["spec"]
            assert (spec["prune"], spec["decryption"]["provider"]) == (True, "sops")
            assert spec["path"].startswith("./manifests/")
            folder = sample_out / spec["path"].removeprefix("./manifests/")
            if not kustomization["metadata"]["name"].endswith("-shared"):
                assert spec["dependsOn"] == [
                    {"name": kustomization["metadata"]["name"].split("-")[0] + "-shared"}
                ]
            for name, values in flux_secrets(folder, DEMO_KEY).items():
                assert values, name


@needs_kubectl
def test_argocd_applications_point_at_the_output(sample_out: Path) -> None:
    applications = kustomize(sample_out / "_delivery" / "argocd")
    by_name = {a["metadata"]["name"]: a["spec"] for a in applications}
    assert by_name["shop-prod"]["source"]["path"] == "manifests/shop/prod"
    assert by_name["shop-prod"]["destination"] == {"server": "https://kubernetes.default.svc"}
    assert by_name["warehouse-dev"]["destination"] == {"server": "https://dev.k8s.acme.example"}
    for spec in by_name.values():
        assert (
            sample_out / spec["source"]["path"].removeprefix("manifests/") / "kustomization.yaml"
        ).is_file()
