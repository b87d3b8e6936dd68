"""``init``: a scaffold that validates and renders at once, with a key that sops accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from conftest import KEYS, REPO, public_key, run_line, sops_decrypt

HELLO = "applications/example/microservices/hello"


def test_scaffold_validates_and_renders_with_its_new_key(tmp_path: Path, no_sops_keys: None) -> None:
    tree = tmp_path / "tree"
    result = run_line("init", tree)
    assert result.exit_code == 0, result
    key = tree / "age.agekey"
    assert f"generated an age key in {key}" in result.stdout
    assert key.stat().st_mode & 0o077 == 0
    assert "age.agekey" in (tree / ".gitignore").read_text()
    assert run_line("validate", "--strict", tree).exit_code == 0
    hello = tree / HELLO / "aigonix.yaml"
    hello.write_text(hello.read_text() + "secrets: [API_TOKEN]\n")
    from aigonix_render.seal.sops import find_sops

    for env in ("Dev", "Prod"):
        target = tree / HELLO / "environments" / env / "secrets.yaml"
        target.parent.mkdir(parents=True)
        sealed = subprocess.run(
            [
                find_sops(),
                "encrypt",
                "--filename-override",
                f"{HELLO}/environments/{env}/secrets.yaml",
                "/dev/stdin",
            ],
            input=f"API_TOKEN: token-of-{env}\n",
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        assert sealed.returncode == 0, sealed.stderr
        target.write_text(sealed.stdout)
    out = tmp_path / "out"
    rendered = run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(key)})
    assert rendered.exit_code == 0, rendered
    secret = yaml.safe_load(
        sops_decrypt(out / "example/prod/secret-prod-hello-secret-env-variables.yaml", key)
    )
    assert secret["stringData"] == {"API_TOKEN": "token-of-Prod"}


def test_recipient_from_the_callers_key_file(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    env = {"SOPS_AGE_KEY_FILE": str(KEYS / "dev.agekey")}
    result = run_line("init", tree, "--customer", "Acme", "--application", "shop", env=env)
    assert result.exit_code == 0, result
    assert not (tree / "age.agekey").exists()
    customer = yaml.safe_load((tree / "aigonix.yaml").read_text())
    assert customer["name"] == "Acme"
    assert customer["environments"]["Prod"]["recipients"] == {"age": [public_key("dev")]}
    assert (tree / "applications/shop/aigonix.yaml").is_file()
    hooks = yaml.safe_load((tree / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert hooks == [{"id": "aigonix-validate"}]


def test_refuses_an_existing_tree(base_tree: Path) -> None:
    before = (base_tree / "aigonix.yaml").read_text()
    result = run_line("init", base_tree)
    assert result.exit_code == 3, result
    assert "exists already" in result.stderr
    assert (base_tree / "aigonix.yaml").read_text() == before


def test_rejects_a_malformed_recipient(tmp_path: Path) -> None:
    result = run_line("init", tmp_path / "tree", "--age-recipient", "age1nope")
    assert result.exit_code == 2, result
    assert not (tmp_path / "tree").exists()


def test_generated_keys_follow_rfc_7748() -> None:
    from aigonix_render.foundation.age_keys import x25519

    scalar = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    point = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    assert x25519(scalar, point).hex() == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"


def test_files_that_exist_are_kept_byte_for_byte(tmp_path: Path, no_sops_keys: None) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    mine = {
        "age.agekey": (KEYS / "prod.agekey").read_text(),
        ".sops.yaml": "creation_rules: [{age: mine}]\n",
        ".gitignore": "node_modules/\n",
        ".pre-commit-config.yaml": "repos: []\n",
    }
    for name, text in mine.items():
        (tree / name).write_text(text)
    result = run_line("init", tree)
    assert result.exit_code == 0, result
    assert {name: (tree / name).read_text() for name in mine} == mine
    for name in (".gitignore", ".pre-commit-config.yaml", ".sops.yaml"):
        assert f"kept {tree / name} (it exists; not replaced)" in result.stdout
    assert "generated an age key" not in result.stdout
    customer = yaml.safe_load((tree / "aigonix.yaml").read_text())
    assert customer["environments"]["Dev"]["recipients"] == {"age": [public_key("prod")]}


def test_names_cannot_lead_outside_or_change_the_yaml(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    escaped = run_line("init", tree, "--application", "../../outside", "--age-recipient", public_key("dev"))
    assert escaped.exit_code == 2, escaped
    assert "'../../outside' cannot be an application name" in escaped.stderr
    assert not (tmp_path / "outside").exists() and not tree.exists()
    hostile = 'Acme"\nkind: Application\n# '
    made = run_line("init", tree, "--customer", hostile, "--age-recipient", public_key("dev"))
    assert made.exit_code == 2, made  # it could never be the tenant label: refused, nothing written
    assert made.stderr.startswith(f"aigonix-render: error: {hostile!r} cannot be a customer name")
    assert not tree.exists()


def test_the_hook_is_pinned_to_the_running_release(tmp_path: Path) -> None:
    """The tag the release workflow publishes this version from (``v`` + the version)."""
    from aigonix_render import __version__

    result = run_line("init", tmp_path / "tree")
    assert result.exit_code == 0, result
    config = yaml.safe_load((tmp_path / "tree" / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == f"v{__version__}"
    release = (REPO / ".github" / "workflows" / "release.yml").read_text()
    assert 'if [ "$TAG" != "v$version" ]' in release


def test_sops_seals_the_applications_other_sealed_files_by_inits_rule(
    tmp_path: Path, no_sops_keys: None
) -> None:
    """``sops encrypt`` finds init's creation rule for ``storage-account.yaml`` and
    ``kafka-files.yaml`` too, and the render seals what it holds."""
    from aigonix_render.seal.sops import find_sops

    tree = tmp_path / "tree"
    assert run_line("init", tree).exit_code == 0
    key = tree / "age.agekey"
    plain = {
        "applications/example/storage-account.yaml": "azurestorageaccountname: acme\nazurestorageaccountkey: k3y\n",
        "applications/example/environments/Prod/kafka-files.yaml": (
            "accessKey.pem: a\ncertificate.pem: c\nca.pem: ca\nconfig.json: '{}'\n"
        ),
    }
    for path, text in plain.items():
        sealed = subprocess.run(
            [find_sops(), "encrypt", "--filename-override", path, "/dev/stdin"],
            input=text,
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        assert sealed.returncode == 0, sealed.stderr
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(sealed.stdout)
    out = tmp_path / "out"
    rendered = run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(key)})
    assert rendered.exit_code == 0, rendered
    secret = yaml.safe_load(sops_decrypt(out / "example/_shared/secret-storage-account-secret.yaml", key))
    assert secret["stringData"] == {"azurestorageaccountkey": "k3y", "azurestorageaccountname": "acme"}
    kafka = yaml.safe_load(sops_decrypt(out / "example/prod/configmap-prod-kafka-files.yaml", key))
    assert kafka["data"] == {
        "accessKey.pem": "a",
        "ca.pem": "ca",
        "certificate.pem": "c",
        "config.json": "{}",
    }
