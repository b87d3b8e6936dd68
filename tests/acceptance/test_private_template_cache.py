"""A render writes nothing to the shared temp folder: compiled templates go to the user's cache."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import run_process


def test_generate_writes_nothing_to_the_temp_folder(base_tree: Path, both_keys: Path, tmp_path: Path) -> None:
    temp, home = tmp_path / "temp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    env = {"TMPDIR": str(temp), "HOME": str(home), "SOPS_AGE_KEY_FILE": str(both_keys)}
    env["XDG_CACHE_HOME"] = ""  # the default: ~/.cache
    result = run_process("generate", base_tree, "--app", "shop", "--env", "Dev", env=env)
    assert result.exit_code == 0, result
    assert "kind: Deployment" in result.stdout
    assert list(temp.iterdir()) == []
    cache = home / ".cache" / "aigonix-render" / "templates"
    assert any(cache.iterdir()) and os.stat(cache).st_mode & 0o777 == 0o700
