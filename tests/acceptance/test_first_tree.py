"""README's "Your first tree", step by step, as a new user runs it: the installed command and
sops run as processes in a fresh git repository, from inside the tree, with no key
configured anywhere (HOME empty, no SOPS_* variables) but the one ``init`` made."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO, run_argv, sops_decrypt

from aigonix_render.seal.sops import find_sops

SECTION = re.compile(r"^## Your first tree.*?(?=^## )", re.MULTILINE | re.DOTALL)
MICROSERVICE = re.compile(r"<<'YAML'\n(.*?)\nYAML\n", re.DOTALL)
API = Path("applications/shop/microservices/api")


def the_section() -> str:
    found = SECTION.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "README has no 'Your first tree' section"
    return found.group(0)


def environment(home: Path) -> dict[str, str]:
    bin_folder = str(Path(sys.executable).parent)
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SOPS_", "GITHUB_"))}
    return {**kept, "HOME": str(home), "PATH": bin_folder + os.pathsep + kept.get("PATH", "")}


def aigonix(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = run_argv([sys.executable, "-m", "aigonix_render", *args], cwd=cwd, env=env)
    assert result.exit_code == 0, result
    return result.stdout + result.stderr


def add_test_environment(tree: Path) -> None:
    """'put Test beside Dev' in the customer's and the application's environments."""
    customer = tree / "aigonix.yaml"
    text = customer.read_text()
    dev = re.search(r"  Dev:\n(?:    .*\n|      .*\n)+", text)
    assert dev is not None
    customer.write_text(text.replace(dev.group(0), dev.group(0) + dev.group(0).replace("Dev:", "Test:"), 1))
    application = tree / "applications/shop/aigonix.yaml"
    text = application.read_text()
    test = "  Test:\n    tenants:\n      - id: 5b0f6c1e-8d2a-4f3b-9c7e-1a2b3c4d5e6f\n        alias: default\n"
    application.write_text(
        text.replace(
            "  Prod:\n", test + "        hosts:\n          - host: shop-test.example.com\n  Prod:\n", 1
        )
    )


def test_the_first_tree_from_init_to_a_commit(tmp_path: Path) -> None:
    section = the_section()
    for step in (
        "aigonix-render init --customer Acme --application shop",
        "aigonix-render validate",
        "aigonix-render render -o rendered",
        "sops edit ",
    ):
        assert step in section
    env = environment(tmp_path / "home")
    tree = tmp_path / "acme-platform"
    tree.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    said = aigonix(tree, env, "init", "--customer", "Acme", "--application", "shop")
    assert f"export SOPS_AGE_KEY_FILE={tree}/age.agekey" in said

    add_test_environment(tree)
    (tree / API).mkdir(parents=True)
    block = MICROSERVICE.search(section)
    assert block is not None, "the microservice's aigonix.yaml is in the README"
    (tree / API / "aigonix.yaml").write_text(block.group(1) + "\n")
    for env_name in ("Dev", "Test", "Prod"):
        target = API / "environments" / env_name / "secrets.yaml"
        (tree / target).parent.mkdir(parents=True)
        sealed = subprocess.run(
            [find_sops(), "encrypt", "--filename-override", target.as_posix(), "/dev/stdin"],
            input=f"DB_PASSWORD: s3cret-{env_name}\n",
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        assert sealed.returncode == 0, sealed.stderr
        (tree / target).write_text(sealed.stdout)

    inside = tree / API  # every command finds the root from inside the tree
    aigonix(inside, env, "validate")
    aigonix(inside, env, "render", "-o", str(tree / "rendered"))
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True)
    assert "age.agekey" not in status.stdout  # the key is never committed
    secret = tree / "rendered/shop/test/secret-test-api-secret-env-variables.yaml"
    data = yaml.safe_load(sops_decrypt(secret, tree / "age.agekey"))
    assert data["stringData"] == {"DB_PASSWORD": "s3cret-Test"}
    aigonix(tree, env, "render", "-o", "rendered", "--check")
