"""Validation cases that are easier to build in code than to keep as folders."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import public_key, run_line

BILLING = "applications/shop/microservices/billing"


def validate(tree: Path) -> tuple[int, str]:
    result = run_line("validate", tree)
    assert result.stderr == "", result
    return result.exit_code, result.stdout


def test_config_files_over_one_mebibyte(base_tree: Path) -> None:
    files = base_tree / BILLING / "files"
    (files / "big.bin").write_bytes(os.urandom(600 * 1024))
    (files / "bigger.bin").write_bytes(os.urandom(500 * 1024))
    code, out = validate(base_tree)
    assert code == 1
    total = 600 * 1024 + 500 * 1024 + len((files / "settings.json").read_bytes())
    assert out == (
        f"{BILLING}/files/big.bin:1:1: error: in Dev the config files add up to {total} bytes, over the 1 MiB a ConfigMap holds\n"
        f"{BILLING}/files/big.bin:1:1: error: in Prod the config files add up to {total} bytes, over the 1 MiB a ConfigMap holds\n"
    )


def test_an_environment_file_replaces_the_common_one_in_the_limit(base_tree: Path) -> None:
    files = base_tree / BILLING / "files"
    (files / "data.bin").write_bytes(os.urandom(1030 * 1024))
    dev = base_tree / BILLING / "environments/Dev/files"
    dev.mkdir()
    (dev / "data.bin").write_bytes(os.urandom(100 * 1024))
    code, out = validate(base_tree)
    assert code == 1
    assert "in Dev" not in out
    assert out.startswith(f"{BILLING}/files/data.bin:1:1: error: in Prod the config files add up to")


def test_symlink_to_a_folder_inside_the_repository(base_tree: Path) -> None:
    (base_tree / BILLING / "files" / "loop").symlink_to("../environments")
    code, out = validate(base_tree)
    assert (code, out) == (
        1,
        f"{BILLING}/files/loop:1:1: error: folders are not allowed under files/ (a ConfigMap key cannot hold '/')\n",
    )


def test_symlink_to_a_file_inside_the_repository_is_followed(base_tree: Path) -> None:
    (base_tree / "shared.json").write_text("{}\n")
    (base_tree / BILLING / "files" / "shared.json").symlink_to("../../../../../shared.json")
    assert validate(base_tree) == (0, "")


def test_hidden_folders_and_the_output_directory_are_not_input(base_tree: Path, keyed: Path) -> None:
    hidden = base_tree / ".github" / "aigonix.yaml"
    hidden.parent.mkdir()
    hidden.write_text("not: [valid")
    assert validate(base_tree) == (0, "")
    out = base_tree / "rendered"
    result = run_line("render", base_tree, "-o", out)
    assert result.exit_code == 0, result
    assert run_line("validate", "--strict", base_tree).exit_code == 0
    assert run_line("render", base_tree, "-o", out).exit_code == 0


def test_an_output_inside_an_input_folder_is_refused(base_tree: Path, keyed: Path) -> None:
    out = base_tree / "applications" / "rendered"
    result = run_line("render", base_tree, "-o", out)
    assert result.exit_code == 2, result
    assert (
        result.stderr
        == f"aigonix-render: error: the output directory {out} is inside the input folder applications/; choose another\n"
    )
    assert not out.exists()


def test_environment_names_that_differ_only_in_case(base_tree: Path) -> None:
    customer = base_tree / "aigonix.yaml"
    customer.write_text(
        customer.read_text().replace(
            "  Prod:\n", "  DEV:\n    recipients: {age: [" + public_key("dev") + "]}\n  Prod:\n"
        )
    )
    code, out = validate(base_tree)
    assert (code, out) == (
        1,
        "aigonix.yaml:13:3: error: environment 'DEV' and 'Dev' would share the object names of 'dev'\n",
    )


def test_a_secret_that_is_not_a_string(base_tree: Path) -> None:
    from aigonix_render.seal.sops import find_sops

    target = base_tree / BILLING / "environments/Dev/secrets.yaml"
    argv = [
        find_sops(),
        "encrypt",
        "--age",
        public_key("dev"),
        "--input-type",
        "yaml",
        "--output-type",
        "yaml",
        "/dev/stdin",
    ]
    sealed = subprocess.run(
        argv, input="DB_PASSWORD: 1234\nAPI_KEY: key\n", capture_output=True, text=True, check=True
    )
    target.write_text(sealed.stdout)
    code, out = validate(base_tree)
    assert (code, out) == (
        1,
        f"{BILLING}/environments/Dev/secrets.yaml:1:14: error: the value of DB_PASSWORD must be a string: quote it in `sops edit`\n",
    )
    assert "1234" not in out


def test_secrets_for_an_environment_not_deployed_to_are_a_warning(base_tree: Path) -> None:
    billing = base_tree / BILLING / "aigonix.yaml"
    billing.write_text(billing.read_text() + "deployTo: [Prod]\n")
    code, out = validate(base_tree)
    assert (code, out) == (
        0,
        f"{BILLING}/environments/Dev/secrets.yaml:1:1: warning: the microservice is not deployed to Dev; this file is unused\n",
    )


def test_empty_env_value_is_a_warning(base_tree: Path) -> None:
    web = base_tree / "applications/shop/microservices/web/aigonix.yaml"
    web.write_text(web.read_text().replace("LOG_LEVEL: info", 'LOG_LEVEL: ""'))
    code, out = validate(base_tree)
    assert code == 0
    assert out == (
        "applications/shop/microservices/web/aigonix.yaml:16:14: warning: the value of LOG_LEVEL is empty "
        "or has surrounding whitespace, which the Aigonix platform refused\n"
    )
