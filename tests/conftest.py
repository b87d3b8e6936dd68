"""Shared fixtures: the CLI runner, test keys, and trees copied into a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings

from aigonix_render.cli import cli
from aigonix_render.foundation import forked

TESTS = Path(__file__).parent
REPO = TESTS.parent
SAMPLE = REPO / "sample-repo"
BASE = TESTS / "cases" / "base"
KEYS = TESTS / "keys"
CASES = sorted(p for p in (TESTS / "cases" / "invalid").iterdir() if p.is_dir())
DEMO_KEY = SAMPLE / "demo-age-key.txt"

# The property tests draw the same examples on every machine, so what passes here passes in
# CI; `pytest --hypothesis-profile=explore` draws new ones (run it when changing what they
# cover, and keep any failure it finds as an explicit example).
settings.register_profile("default", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
settings.load_profile("default")


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"exit {self.exit_code}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def run_line(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """Run the CLI in-process; the result prints stdout and stderr when an assert fails."""
    runner = CliRunner()
    result = runner.invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def run_argv(argv: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run any command (a tool beside aigonix-render); ``env`` is the whole environment."""
    result = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return Run(result.returncode, result.stdout, result.stderr)


def run_process(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``aigonix-render`` as a real process (for environment-sensitive tests)."""
    argv = [sys.executable, "-m", "aigonix_render", *(str(a) for a in args)]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=cwd, check=False)
    return Run(result.returncode, result.stdout, result.stderr)


def render_tree(tree: Path, out: Path, key: Path) -> Path:
    """``render`` with ``key`` as the age key; fails the test (showing the run) if it fails."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", str(key))
        result = run_line("render", tree, "-o", out)
    assert result.exit_code == 0, result
    return out


def public_key(name: str) -> str:
    for line in (KEYS / f"{name}.agekey").read_text().splitlines():
        if line.startswith("# public key: "):
            return line.removeprefix("# public key: ")
    raise AssertionError(f"no public key in {name}.agekey")


def recipient_options() -> list[str]:
    """``import``'s options that encrypt Dev for the dev test key and Prod for the prod one."""
    return ["--age-recipient", f"Dev={public_key('dev')}", "--age-recipient", f"Prod={public_key('prod')}"]


@pytest.fixture(scope="session")
def both_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A key file holding the dev and prod test identities (decrypts the test sources)."""
    path = tmp_path_factory.mktemp("keys") / "both.agekey"
    path.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    return path


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, both_keys: Path) -> Path:
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(both_keys))
    return both_keys


@pytest.fixture
def demo_keyed(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(DEMO_KEY))
    return DEMO_KEY


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    """A copy of the valid test tree, to break or render."""
    target = tmp_path / "tree"
    shutil.copytree(BASE, target)
    return target


@pytest.fixture
def sample_tree(tmp_path: Path) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture
def rendered(base_tree: Path, keyed: Path, tmp_path: Path) -> Path:
    """The base tree rendered once into ``tmp_path/out`` (the previous output of a test)."""
    out = tmp_path / "out"
    result = run_line("render", base_tree, "-o", out)
    assert result.exit_code == 0, result
    return out


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime, to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changed_files(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> list[str]:
    """The files of ``after`` that are new or differ (bytes or mtime) from ``before``."""
    return sorted(name for name in after if after[name] != before.get(name))


def sops_decrypt(path: Path | str, key: Path, text: str | None = None) -> str:
    """Decrypt with the real sops and only ``key``; ``text`` is decrypted from stdin instead."""
    from aigonix_render.seal.sops import find_sops

    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env["SOPS_AGE_KEY_FILE"] = str(key)
    argv = [find_sops(), "decrypt", "--input-type", "yaml", "--output-type", "yaml"]
    argv.append("/dev/stdin" if text is not None else str(path))
    result = subprocess.run(argv, input=text, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, f"sops could not decrypt {path}: {result.stderr}"
    return result.stdout


@pytest.fixture
def no_sops_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield


def build_case(case: Path, target: Path) -> Path:
    """An invalid case's tree: the base tree, its ``overlay/`` laid over, ``remove.txt``'s
    paths removed."""
    shutil.copytree(BASE, target, symlinks=True)
    overlay = case / "overlay"
    if overlay.is_dir():
        shutil.copytree(overlay, target, dirs_exist_ok=True, symlinks=True)
    removals = case / "remove.txt"
    for line in removals.read_text().splitlines() if removals.is_file() else []:
        victim = target / line.strip()
        if victim.is_dir():
            shutil.rmtree(victim)
        elif line.strip():
            victim.unlink()
    return target


def node_paths(data: object, prefix: tuple[Any, ...] = (), absent: bool = False) -> Iterator[tuple[Any, ...]]:
    """Every node's path in ``data``; with ``absent`` also, below each, a key and an index
    that are not there."""
    yield from ((prefix, (*prefix, "no-such-key"), (*prefix, 99)) if absent else (prefix,))
    if isinstance(data, dict):
        for key, value in data.items():
            yield from node_paths(value, (*prefix, key), absent)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from node_paths(value, (*prefix, index), absent)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every fork's child, by its pid (a test that never forked would prove nothing); Linux only."""
    if not forked._enabled:
        pytest.skip("forks on Linux only")
    counted: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        child = real_fork()
        if child:
            counted.append(child)
        return child

    monkeypatch.setattr(os, "fork", fork)
    return counted
