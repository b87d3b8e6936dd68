"""Long renders show their phase on a terminal, and nothing when stderr is not one."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import KEYS, run_process


def _render_on_a_terminal(tree: Path, out: Path, *extra: str, env_extra: dict[str, str] | None = None) -> str:
    """stderr is a pseudo-terminal; what the terminal received, decoded."""
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update(env_extra or {"TERM": "xterm"})
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


def test_one_secret_is_sealed_in_the_singular(base_tree: Path, tmp_path: Path) -> None:
    _render_on_a_terminal(base_tree, tmp_path / "out")
    secrets = base_tree / "applications/shop/microservices/billing/environments/Dev/secrets.yaml"
    secrets.write_text(secrets.read_text() + "\n")
    shown = _render_on_a_terminal(base_tree, tmp_path / "out")
    assert "aigonix-render: sealing 1 Secret…" in shown, shown
    assert shown.rstrip().endswith("; 1 Secret encrypted"), shown


def test_no_escape_codes_with_no_color_or_a_dumb_terminal(base_tree: Path, tmp_path: Path) -> None:
    for index, env in enumerate(({"NO_COLOR": "1", "TERM": "xterm"}, {"TERM": "dumb"})):
        shown = _render_on_a_terminal(base_tree, tmp_path / f"out{index}", env_extra=env)
        assert "\x1b" not in shown, shown
        lines = shown.replace("\r\n", "\n").splitlines()
        assert lines[:2] == [
            "aigonix-render: reading and rendering the tree…",
            "aigonix-render: sealing 3 Secrets…",
        ], shown
        assert lines[-1].endswith("; 3 Secrets encrypted"), shown
    empty = _render_on_a_terminal(base_tree, tmp_path / "out2", env_extra={"NO_COLOR": "", "TERM": "xterm"})
    assert "\r\x1b[Kaigonix-render: sealing 3 Secrets…" in empty, empty
