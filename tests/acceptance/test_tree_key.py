"""``render`` right after ``init`` (issue 21): with no key configured, the key ``init`` made in
the tree's root decrypts, in-process and in the sops binary alike."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_line, sops_decrypt

from aigonix_render.seal.sops import find_sops, with_tree_key

HELLO = "applications/example/microservices/hello"


def scaffold_with_secrets(tree: Path) -> Path:
    """``init``, and the hello microservice given a Secret per environment."""
    result = run_line("init", tree)
    assert result.exit_code == 0, result
    hello = tree / HELLO / "aigonix.yaml"
    hello.write_text(hello.read_text() + "secrets: [API_TOKEN]\n")
    for env in ("Dev", "Prod"):
        target = tree / HELLO / "environments" / env / "secrets.yaml"
        target.parent.mkdir(parents=True)
        argv = [
            find_sops(),
            "encrypt",
            "--filename-override",
            target.relative_to(tree).as_posix(),
            "/dev/stdin",
        ]
        sealed = subprocess.run(
            argv, input=f"API_TOKEN: token-of-{env}\n", cwd=tree, capture_output=True, text=True
        )
        assert sealed.returncode == 0, sealed.stderr
        target.write_text(sealed.stdout)
    return tree / "age.agekey"


@pytest.mark.parametrize("binary", [False, True], ids=["in-process", "sops-binary"])
def test_render_after_init_finds_the_key_in_the_root(
    tmp_path: Path, no_sops_keys: None, binary: bool
) -> None:
    assert not any(name.startswith("SOPS_") for name in os.environ)
    key = scaffold_with_secrets(tmp_path / "tree")
    out = tmp_path / "out"
    result = run_line("render", tmp_path / "tree", "-o", out, *(["--sops-binary"] if binary else []))
    assert result.exit_code == 0, result
    assert "2 Secrets encrypted" in result.stderr
    for env in ("dev", "prod"):
        secret = yaml.safe_load(
            sops_decrypt(out / f"example/{env}/secret-{env}-hello-secret-env-variables.yaml", key)
        )
        assert secret["stringData"] == {"API_TOKEN": f"token-of-{env.title()}"}


def test_generate_after_init_finds_the_key_in_the_root(tmp_path: Path, no_sops_keys: None) -> None:
    """The Argo CD plugin's call: the key in the root decrypts the Secrets it reveals."""
    scaffold_with_secrets(tmp_path / "tree")
    result = run_line("generate", tmp_path / "tree", "--app", "example", "--env", "Prod")
    assert result.exit_code == 0, result
    secrets = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "Secret"]
    assert {"API_TOKEN": "token-of-Prod"} in [s.get("stringData") for s in secrets]


def test_init_prints_the_absolute_variable_to_export(
    tmp_path: Path, no_sops_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_line("init", "tree")
    assert result.exit_code == 0, result
    assert (
        "generated an age key in tree/age.agekey: keep it secret, never commit it; render finds it "
        f"there by itself; for sops: export SOPS_AGE_KEY_FILE={tmp_path}/tree/age.agekey\n"
    ) in result.stdout


@pytest.mark.parametrize("variable", ["SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD"])
def test_a_key_the_caller_names_wins(tmp_path: Path, variable: str) -> None:
    (tmp_path / "age.agekey").write_text("AGE-SECRET-KEY-1...\n")
    environ = {"HOME": str(tmp_path / "home"), variable: "set"}
    assert with_tree_key(environ, tmp_path, "linux") == environ


def test_the_user_config_key_file_wins(tmp_path: Path) -> None:
    (tmp_path / "age.agekey").write_text("AGE-SECRET-KEY-1...\n")
    keys = tmp_path / "config" / "sops" / "age" / "keys.txt"
    keys.parent.mkdir(parents=True)
    keys.write_text("AGE-SECRET-KEY-1...\n")
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert with_tree_key(environ, tmp_path, "linux") == environ
    keys.unlink()
    assert with_tree_key(environ, tmp_path, "linux") == {
        **environ,
        "SOPS_AGE_KEY_FILE": str(tmp_path / "age.agekey"),
    }


def test_no_key_in_the_root_changes_nothing(tmp_path: Path) -> None:
    assert with_tree_key({"HOME": str(tmp_path)}, tmp_path, "linux") == {"HOME": str(tmp_path)}
