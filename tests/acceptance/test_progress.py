"""Long renders show their phase on a terminal, and nothing when stderr is not one."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import KEYS, run_process


def _render_on_a_terminal(tree: Path, out: Path, *extra: str) -> str:
    """stderr is a pseudo-terminal; what the terminal received, decoded."""
    controller, terminal = pty.openpty()
    env = dict(os.environ)
    env["SOPS_AGE_KEY_FILE"] = str(_both_keys(out.parent))
    argv = [sys.executable, "-m", "aigonix_render", "render", str(tree), "-o", str(out), *extra]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=terminal, env=env)
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal is closed once the process ends
            break
        if not chunk:
            break
        received += chunk
    assert process.wait() == 0, received
    os.close(controller)
    return received.decode("utf-8", "replace")


def _both_keys(folder: Path) -> Path:
    path = folder / "both.agekey"
    path.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    return path


def test_a_terminal_sees_the_phases_then_a_clean_line(base_tree: Path, tmp_path: Path) -> None:
    shown = _render_on_a_terminal(base_tree, tmp_path / "out")
    written = sum(1 for p in (tmp_path / "out").rglob("*") if p.is_file() and p.name != ".aigonix-render")
    phases = [part.split("…")[0] for part in shown.split("\r\x1b[K") if part.startswith("aigonix-render: ")]
    assert phases == [
        "aigonix-render: reading and rendering the tree",
        "aigonix-render: sealing 3 Secrets",
        f"aigonix-render: writing {written} files",
    ], shown
    assert shown.rstrip().endswith("Secrets encrypted")


def test_quiet_on_a_terminal_and_silent_in_a_pipe(base_tree: Path, tmp_path: Path) -> None:
    quiet = _render_on_a_terminal(base_tree, tmp_path / "out", "--quiet")
    assert "…" not in quiet
    piped = run_process(
        "render", base_tree, "-o", tmp_path / "piped", env={"SOPS_AGE_KEY_FILE": str(_both_keys(tmp_path))}
    )
    assert piped.exit_code == 0, piped
    assert "…" not in piped.stderr and "\x1b" not in piped.stderr
