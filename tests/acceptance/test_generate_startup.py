"""``generate`` loads only what its target needs (issue 22): Argo CD's repo-server runs it for
every Application on every commit, so its start-up is paid thousands of times a day.

Each test runs the real command line in a fresh Python (``python -m aigonix_render``'s
``main``) and reads which modules that process imported. A target without Secrets loads
no SOPS code, no cryptography or pyrage (not even to look for the tree's own key), and
never the output writer, ``render``'s pipeline, the JSON Schema validator or the YAML
editor; a target with Secrets loads the in-process SOPS, which proves the probe sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import BASE, run_line

PROBE = """
import json, sys
listed = sys.argv.pop(1)
from aigonix_render import cli
leave = cli.hard_exit
def listing_then_leave(code):
    with open(listed, "w") as f:
        json.dump(sorted(sys.modules), f)
    leave(code)
cli.hard_exit = listing_then_leave
cli.main()
"""

NEVER = (
    "aigonix_render.commands.cli_render",
    "aigonix_render.commands.pipeline",
    "aigonix_render.commands.incremental",
    "aigonix_render.write",
    "jsonschema",
    "ruamel",
    "concurrent.futures",
    "traceback",
)
"""What no ``generate`` loads: the ``render`` and ``diff`` commands, render's pipeline and writer, the schema validator (only an
invalid document's message needs it), the YAML editor of ``set``, a thread pool."""

SECRETS_ONLY = (
    "cryptography",
    "pyrage",
    "aigonix_render.seal.age",
    "aigonix_render.seal.sealing",
    "aigonix_render.seal.sops",
)
"""What only a target with Secrets loads: the in-process SOPS and what it stands on."""


def generate_modules(tmp_path: Path, root: Path, app: str, env: str, environ: dict[str, str]) -> set[str]:
    """The modules a real ``aigonix-render generate`` process imported; it must succeed."""
    listed = tmp_path / "modules.json"
    argv = [sys.executable, "-c", PROBE, str(listed), "generate", str(root), "--app", app, "--env", env]
    result = subprocess.run(argv, capture_output=True, text=True, env=environ, check=False)
    assert result.returncode == 0, result.stderr
    assert [d["kind"] for d in yaml.safe_load_all(result.stdout)], "generate printed no object"
    return set(json.loads(listed.read_text()))


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(p for p in prefixes if any(m == p or m.startswith(f"{p}.") for m in modules))


def keyless(tmp_path: Path) -> dict[str, str]:
    """The environment with no SOPS key named anywhere (a fresh HOME, no SOPS_* variable)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    (tmp_path / "home").mkdir(exist_ok=True)
    return {**environ, "HOME": str(tmp_path / "home")}


def test_a_tree_from_init_without_secrets_loads_no_sops_code(tmp_path: Path) -> None:
    """init's tree holds its key in the root (``age.agekey``): looking for it loaded seal.age,
    and with it cryptography and pyrage, although nothing was to be decrypted."""
    environ = keyless(tmp_path)
    assert run_line("init", tmp_path / "tree", env={"HOME": environ["HOME"]}).exit_code == 0
    assert (tmp_path / "tree" / "age.agekey").is_file()
    for env in ("Dev", "Prod", "_shared"):
        modules = generate_modules(tmp_path, tmp_path / "tree", "example", env, environ)
        assert loaded(modules, (*NEVER, *SECRETS_ONLY)) == [], env


def test_a_target_with_secrets_loads_the_in_process_sops_only(tmp_path: Path, both_keys: Path) -> None:
    """The base tree's shop has secrets in Dev: they are decrypted in-process."""
    environ = {**keyless(tmp_path), "SOPS_AGE_KEY_FILE": str(both_keys)}
    modules = generate_modules(tmp_path, BASE, "shop", "Dev", environ)
    assert loaded(modules, SECRETS_ONLY) == sorted(SECRETS_ONLY)
    assert loaded(modules, NEVER) == []  # decrypt_sources decrypts one file after the other
