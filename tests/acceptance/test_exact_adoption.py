"""Exact adoption (issue 20.3) and the Role's rule order (20.2): ``adoption: {exact: true}``
renders objects that carry nothing the platform's did not (the retention annotations
aside), each sealed Secret's fingerprint kept in its folder's ``.sealed-from``; and
``developerRole`` keeps the platform's order of the Role ``developer``'s rules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from adoption_case import ADOPTION, adoption_tree, replace_once
from conftest import render_tree, run_line, sops_decrypt

from aigonix_render.commands.importer import DumpSource
from aigonix_render.commands.importer.dump import KubeObject, read_dumps
from aigonix_render.commands.importer.role import developer_role

APP_MANIFEST = "applications/shop/aigonix.yaml"
ORDERS = "applications/shop/microservices/orders/aigonix.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, both_keys: Path) -> Path:
    return render_tree(ADOPTION, tmp_path_factory.mktemp("exact") / "out", both_keys)


def test_objects_carry_no_label_or_annotation_of_the_render(out: Path, both_keys: Path) -> None:
    for path in sorted(out.rglob("*.yaml")):
        text = path.read_text()
        if "\nsops:\n" in text:
            text = sops_decrypt(path, both_keys)
        assert "app.kubernetes.io/" not in text, path
        assert "aigonix.io/sealed-from" not in text, path


def test_the_fingerprints_are_beside_the_secrets(out: Path) -> None:
    lines = (out / "shop/prod/.sealed-from").read_text().splitlines()
    assert [line.split(" ")[0] for line in lines] == [
        "prod-legacy-secret-env-variables",
        "prod-orders-secret-env-variables",
    ]
    assert all(line.split(" ")[1].startswith("sha256:") and len(line.split(" ")[1]) == 71 for line in lines)
    assert (out / "shop/_shared/.sealed-from").read_text().startswith("acr sha256:")
    marker = (out / ".aigonix-render").read_text()
    for folder in ("shop/_shared", "shop/dev", "shop/prod"):
        assert f"  {folder}/.sealed-from\n" in marker
        assert ".sealed-from" not in (out / folder / "kustomization.yaml").read_text()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_builds_each_folder_without_the_fingerprints(out: Path) -> None:
    """Flux and Argo CD apply what kustomization.yaml lists: ``.sealed-from`` is no resource."""
    for folder in ("shop/_shared", "shop/dev", "shop/prod"):
        built = subprocess.run(
            ["kubectl", "kustomize", str(out / folder)], capture_output=True, text=True, check=True
        ).stdout
        kinds = {o["kind"] for o in yaml.safe_load_all(built) if o}
        assert "Secret" in kinds and "sha256:" not in built, folder


def test_an_unchanged_secret_keeps_its_file_and_a_forged_fingerprint_reseals(
    tmp_path: Path, both_keys: Path
) -> None:
    tree = adoption_tree(tmp_path)
    out = render_tree(tree, tmp_path / "out", both_keys)
    secret = out / "shop/prod/secret-prod-orders-secret-env-variables.yaml"
    before = secret.read_bytes()
    replace_once(tree / ORDERS, "env:\n", "env:\n  ADDED_BY_TEST: yes-please\n")
    result = run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(both_keys)})
    assert result.exit_code == 0 and "; 0 Secrets encrypted" in result.stderr + result.stdout, result
    assert secret.read_bytes() == before
    sealed_from = out / "shop/prod/.sealed-from"
    sealed_from.write_text(sealed_from.read_text().replace("sha256:", "sha256:0", 1)[:-2] + "\n")
    replace_once(tree / ORDERS, "  ADDED_BY_TEST: yes-please\n", "")
    result = run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(both_keys)})
    assert result.exit_code == 0 and "; 2 Secrets encrypted" in result.stderr + result.stdout, result
    assert secret.read_bytes() != before


def test_without_exact_adoption_the_labels_and_annotation_are_back(tmp_path: Path, both_keys: Path) -> None:
    tree = adoption_tree(tmp_path)
    replace_once(tree / "aigonix.yaml", "adoption:\n  exact: true", "adoption:\n  exact: false")
    out = render_tree(tree, tmp_path / "out", both_keys)
    assert not list(out.rglob(".sealed-from"))
    deployment = yaml.safe_load((out / "shop/prod/deployment-prod-orders.yaml").read_text())
    assert deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "aigonix-render"
    secret = out / "shop/prod/secret-prod-orders-secret-env-variables.yaml"
    assert "aigonix.io/sealed-from" in sops_decrypt(secret, both_keys)


def test_developer_role_entries_must_name_deployed_microservices_once(tmp_path: Path) -> None:
    tree = adoption_tree(tmp_path)
    replace_once(
        tree / APP_MANIFEST, "order: [Dev/catalog,", "order: [Test/catalog, Prod/legacy, Dev/catalog,"
    )
    result = run_line("validate", tree)
    assert result.exit_code == 1, result
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        f"{APP_MANIFEST}:30:11: error: 'Test/catalog' names no microservice of this application deployed"
        " to that environment",
        f"{APP_MANIFEST}:31:13: error: 'Prod/legacy' is already in developerRole.order",
    ]


def _role(*secret_names: str) -> KubeObject:
    rules = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [n]} for n in secret_names]
    body = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "developer", "namespace": "ns"},
        "rules": rules,
    }
    (found,) = read_dumps([DumpSource("role.yaml", yaml.safe_dump(body).encode())])
    return found


DEPLOYED = [("Dev", "a"), ("Dev", "b"), ("Prod", "a")]


def test_import_writes_developer_role_only_where_the_platform_differs() -> None:
    default = _role("dev-a-secret-env-variables", "dev-b-secret-env-variables", "prod-a-secret-env-variables")
    assert developer_role(default, DEPLOYED) == {}
    created = _role("dev-b-secret-env-variables", "dev-a-secret-env-variables", "prod-a-secret-env-variables")
    assert developer_role(created, DEPLOYED) == {"order": ["Dev/b", "Dev/a", "Prod/a"]}
    none_for_one = _role("dev-a-secret-env-variables", "prod-a-secret-env-variables")
    assert developer_role(none_for_one, DEPLOYED) == {"without": ["Dev/b"]}
