"""The GitOps loop: no secret churn, diff, GitHub-formatted validation, the Argo CD plugin."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEMO_KEY, REPO, SAMPLE, Run, changed_files, run_argv, run_line, snapshot, sops_decrypt

BILLING_DEV = "applications/shop/microservices/billing/environments/Dev/secrets.yaml"
WEB = "applications/shop/microservices/web/aigonix.yaml"
PLUGIN = REPO / "deploy" / "argocd-cmp" / "plugin.yaml"


def test_second_render_starts_no_sops_at_all(
    base_tree: Path, rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(rendered)
    monkeypatch.setattr("sys.executable", str(tmp_path / "nowhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert "0 Secrets encrypted" in result.stderr
    assert snapshot(rendered) == before


def test_one_changed_secret_source_reseals_exactly_that_secret(base_tree: Path, rendered: Path) -> None:
    before = snapshot(rendered)
    source = base_tree / BILLING_DEV
    source.write_text(source.read_text() + "\n")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert "1 Secret encrypted" in result.stderr
    after = snapshot(rendered)
    assert changed_files(before, after) == [
        ".aigonix-render",
        "shop/dev/secret-dev-billing-secret-env-variables.yaml",
    ]


def test_fingerprints_hold_no_plaintext(rendered: Path) -> None:
    for path in rendered.rglob("secret-*.yaml"):
        text = path.read_text()
        for value in ("dev-db-password", "prod-db-password", "dev-api-key", "test-registry-password"):
            assert value not in text


def test_diff_shows_changes_and_names_secrets_only(
    base_tree: Path, rendered: Path, no_sops_keys: None
) -> None:
    assert run_line("diff", base_tree, "-o", rendered).exit_code == 0
    web = base_tree / WEB
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    source = base_tree / BILLING_DEV
    source.write_text(source.read_text() + "\n")
    before = snapshot(rendered)
    result = run_line("diff", base_tree, "-o", rendered, "--exit-code")
    assert result.exit_code == 1, result
    assert "-  LOG_LEVEL: info\n+  LOG_LEVEL: debug\n" in result.stdout
    assert "--- a/shop/dev/configmap-dev-web-env-variables.yaml\n" in result.stdout
    assert (
        "Secret shop/dev/secret-dev-billing-secret-env-variables.yaml: changed (values not shown)\n"
        in result.stdout
    )
    assert "ENC[" not in result.stdout
    assert snapshot(rendered) == before


def test_diff_of_a_removed_microservice(base_tree: Path, rendered: Path) -> None:
    shutil.rmtree(base_tree / "applications/shop/microservices/billing")
    result = run_line("diff", base_tree, "-o", rendered, "--exit-code")
    assert result.exit_code == 1, result
    assert "--- a/shop/prod/deployment-prod-billing.yaml\n+++ /dev/null\n" in result.stdout
    assert (
        "Secret shop/prod/secret-prod-billing-secret-env-variables.yaml: removed (values not shown)\n"
        in result.stdout
    )


def test_validate_speaks_github_inside_github_actions(base_tree: Path) -> None:
    web = base_tree / WEB
    web.write_text(web.read_text().replace("port: 8080", "port: eighty"))
    result = run_line("validate", base_tree, env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1, result
    assert result.stdout == f"::error file={WEB},line=7,col=9::must be an integer\n"


def plugin_generate(cwd: Path, env: dict[str, str]) -> Run:
    """Run plugin.yaml's generate command as the repo-server sidecar does: in the source
    path, with Argo CD's variables, and aigonix-render and sops on PATH."""
    command = yaml.safe_load(PLUGIN.read_text())["spec"]["generate"]["command"]
    scripts = str(Path(sys.executable).parent)
    full_env = {"PATH": f"{scripts}:/usr/bin:/bin", "HOME": str(cwd), **env}
    return run_argv(command, cwd, full_env)


def test_plugin_generates_one_application_environment(tmp_path: Path) -> None:
    source = tmp_path / "repo"
    shutil.copytree(SAMPLE, source)
    env = {
        "ARGOCD_ENV_AIGONIX_APP": "shop",
        "PARAM_ENV": "Prod",
        "ARGOCD_APP_NAME": "shop-prod",
        "SOPS_AGE_KEY_FILE": str(DEMO_KEY),
    }
    result = plugin_generate(source, env)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    documents: list[dict[str, Any]] = [d for d in yaml.safe_load_all(result.stdout) if d]
    names = {(d["kind"], d["metadata"]["name"]) for d in documents}
    assert ("Deployment", "prod-web") in names
    assert all(n.startswith("prod-") or n == "prod" for _, n in names), names
    secret = next(d for d in documents if d["metadata"]["name"] == "prod-billing-secret-env-variables")
    expected = yaml.safe_load(
        sops_decrypt(
            SAMPLE / "applications/shop/microservices/billing/environments/Prod/secrets.yaml", DEMO_KEY
        )
    )
    assert secret["stringData"] == expected
    assert "sops" not in secret


def _objects(stream: str) -> list[tuple[str, str, str, str]]:
    documents = [d for d in yaml.safe_load_all(stream) if d]
    return [
        (d["apiVersion"], d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
        for d in documents
    ]


def test_every_object_has_exactly_one_owner_among_the_plugin_targets(sample_tree: Path) -> None:
    """An application's shared objects are a target of their own (``--env _shared``); the
    targets together hold each object of the render exactly once."""
    targets = [
        (app, env)
        for app, envs in (("shop", ("Dev", "Prod")), ("warehouse", ("Dev", "Prod")))
        for env in (*envs, "_shared")
    ]
    owners: dict[tuple[str, str, str, str], list[str]] = {}
    for app, env in targets:
        result = run_line(
            "generate", sample_tree, "--app", app, "--env", env, env={"SOPS_AGE_KEY_FILE": str(DEMO_KEY)}
        )
        assert result.exit_code == 0, result
        for key in _objects(result.stdout):
            owners.setdefault(key, []).append(f"{app}/{env}")
    assert {key: where for key, where in owners.items() if len(where) > 1} == {}
    shared = [key for key, where in owners.items() if where == ["shop/_shared"]]
    assert sorted((kind, name) for _, kind, _, name in shared) == [
        ("Namespace", "application-3b574183-cc5a-474c-98d9-f535511c7449"),
        ("Role", "developer"),
        ("RoleBinding", "developer"),
        ("RoleBinding", "devops"),
        ("Secret", "acr"),
        ("ServiceAccount", "devops"),
    ]
    rendered = run_line(
        "render", sample_tree, "-o", sample_tree.parent / "out", env={"SOPS_AGE_KEY_FILE": str(DEMO_KEY)}
    )
    assert rendered.exit_code == 0, rendered
    folders = [p for p in (sample_tree.parent / "out").glob("*/*/") if not p.parent.name.startswith("_")]
    expected = sorted(
        key
        for folder in folders
        for path in folder.glob("*.yaml")
        if path.name != "kustomization.yaml"
        for key in _objects(path.read_text())
    )
    assert sorted(owners) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PARAM_APP": "shop", "PARAM_ENV": "Staging"},
            "the application 'shop' has no environment 'Staging' (Dev, Prod, _shared)",
        ),
        (
            {"PARAM_APP": "shopp", "PARAM_ENV": "Prod"},
            "there is no application 'shopp' in this tree (shop, warehouse)",
        ),
        ({"PARAM_APP": "shop"}, "generate needs --app and --env"),
        (
            {"PARAM_APP": "shop", "PARAM_ENV": "Prod", "SOPS_AGE_KEY_FILE": "/nonexistent"},
            "sops could not decrypt it",
        ),
    ],
)
def test_plugin_prints_nothing_on_error(tmp_path: Path, env: dict[str, str], message: str) -> None:
    source = tmp_path / "repo"
    shutil.copytree(SAMPLE, source)
    result = plugin_generate(source, env)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert message in result.stderr


def test_plugin_never_puts_secrets_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "repo"
    shutil.copytree(SAMPLE, source)
    web = source / WEB
    web.write_text(web.read_text().replace("port: 8080", "port: eighty"))
    result = plugin_generate(
        source, {"PARAM_APP": "shop", "PARAM_ENV": "Prod", "SOPS_AGE_KEY_FILE": str(DEMO_KEY)}
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert "must be an integer" in result.stderr
    assert "BEGIN PRIVATE KEY" not in result.stderr


def test_plugin_discovers_the_tree_and_announces_parameters() -> None:
    plugin = yaml.safe_load(PLUGIN.read_text())
    assert (plugin["apiVersion"], plugin["kind"]) == ("argoproj.io/v1alpha1", "ConfigManagementPlugin")
    assert plugin["spec"]["discover"] == {"fileName": "./aigonix.yaml"}
    assert [p["name"] for p in plugin["spec"]["parameters"]["static"]] == ["app", "env"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed on this machine")
def test_sidecar_component_patches_the_repo_server(tmp_path: Path) -> None:
    base = tmp_path / "argocd"
    base.mkdir()
    (base / "repo-server.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: argocd-repo-server\nspec:\n"
        "  selector:\n    matchLabels: {app: repo}\n  template:\n    metadata:\n      labels: {app: repo}\n"
        "    spec:\n      containers:\n        - name: argocd-repo-server\n          image: argocd\n"
        "      volumes:\n        - name: var-files\n          emptyDir: {}\n        - name: plugins\n          emptyDir: {}\n"
    )
    shutil.copytree(REPO / "deploy" / "argocd-cmp", base / "cmp")
    (base / "kustomization.yaml").write_text("resources: [repo-server.yaml]\ncomponents: [cmp]\n")
    built = subprocess.run(["kubectl", "kustomize", str(base)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    objects = {d["kind"]: d for d in yaml.safe_load_all(built.stdout)}
    containers = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert sorted(c["name"] for c in containers) == ["aigonix-render", "argocd-repo-server"]
    sidecar = next(c for c in containers if c["name"] == "aigonix-render")
    assert sidecar["securityContext"]["runAsUser"] == 999
    assert {"name": "SOPS_AGE_KEY_FILE", "value": "/sops/age/keys.txt"} in sidecar["env"]
    assert yaml.safe_load(objects["ConfigMap"]["data"]["plugin.yaml"])["metadata"]["name"] == "aigonix-render"
    assert os.path.basename(sidecar["command"][0]) == "argocd-cmp-server"
