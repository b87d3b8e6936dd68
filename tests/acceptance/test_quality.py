"""The code stays lint-clean, formatted and type-checked (ruff and mypy, as in CI)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

CHECKS = {
    "ruff-lint": [sys.executable, "-m", "ruff", "check", "."],
    "ruff-format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_quality(name: str) -> None:
    result = subprocess.run(CHECKS[name], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{name} found problems:\n{result.stdout}{result.stderr}"
