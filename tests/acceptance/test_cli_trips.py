"""Issue 21 and 19.4: the command line's trips: counts, --strict, OUT, diff's exit code,
completion, standard output that cannot be written, and POSIX-only imports."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BASE, SAMPLE, run_line, run_process

WEB = "applications/shop/microservices/web/aigonix.yaml"
SCRIPT = Path(sys.executable).parent / "aigonix-render"


def test_counts_have_the_right_noun() -> None:
    from aigonix_render.commands.cli_text import counted

    assert [counted(n, "Secret") for n in (0, 1, 2)] == ["0 Secrets", "1 Secret", "2 Secrets"]


def test_strict_says_how_many_warnings_failed_it(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    web = base_tree / WEB
    web.write_text(web.read_text().replace("web:1.0.0", "web:latest"))
    result = run_line("render", base_tree, "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1, result
    assert result.stderr.endswith(
        "warning: 'testcustomer.azurecr.io/web:latest' is not pinned: use a version tag, not latest\n"
        "aigonix-render: the tree does not validate with --strict (1 warning)\n"
    ), result


def test_an_output_holding_the_tree_is_a_usage_error(base_tree: Path, keyed: Path) -> None:
    for command in ("render", "diff"):
        result = run_process(command, "-o", ".", cwd=base_tree)
        assert result.exit_code == 2, result
        assert result.stderr == (
            f"aigonix-render: error: the output directory {base_tree.resolve()} would contain the input "
            "tree; choose another\n"
        )


def test_diff_exits_0_on_a_change_unless_exit_code(base_tree: Path, rendered: Path) -> None:
    web = base_tree / WEB
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    plain = run_line("diff", base_tree, "-o", rendered)
    assert plain.exit_code == 0, plain
    assert "+  LOG_LEVEL: debug\n" in plain.stdout
    asked = run_line("diff", base_tree, "-o", rendered, "--exit-code")
    assert (asked.exit_code, asked.stdout) == (1, plain.stdout), asked
    web.write_text(web.read_text().replace("LOG_LEVEL: debug", "LOG_LEVEL: info"))
    same = run_line("diff", base_tree, "-o", rendered, "--exit-code")
    assert (same.exit_code, same.stdout) == (0, ""), same


def test_one_secret_encrypted_is_singular(base_tree: Path, rendered: Path) -> None:
    secrets = base_tree / "applications/shop/microservices/billing/environments/Dev/secrets.yaml"
    secrets.write_text(secrets.read_text() + "\n")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert result.stderr.endswith("; 1 Secret encrypted\n"), result


def test_shell_completion_prints_a_script() -> None:
    for shell, start in (("bash", "_aigonix_render_completion() {"), ("zsh", "#compdef aigonix-render")):
        result = run_process(env={"_AIGONIX_RENDER_COMPLETE": f"{shell}_source"})
        assert result.exit_code == 0, result
        assert result.stdout.startswith(start), result
    words = run_process(
        env={
            "_AIGONIX_RENDER_COMPLETE": "bash_complete",
            "COMP_WORDS": "aigonix-render va",
            "COMP_CWORD": "1",
        }
    )
    assert words.stdout == "plain,validate\n", words


def _aigonix(*args: str) -> list[str]:
    return [sys.executable, "-m", "aigonix_render", *args]


def test_a_full_standard_output_is_one_line_and_exit_3() -> None:
    for args in (("schema", "Microservice"), ("validate", str(BASE), "--format", "json"), ("--help",)):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                _aigonix(*args), stdout=full, stderr=subprocess.PIPE, text=True, check=False
            )
        assert (result.returncode, result.stderr) == (
            3,
            "aigonix-render: error: cannot write standard output: No space left on device\n",
        ), args


def test_a_reader_that_goes_away_is_not_an_error() -> None:
    with subprocess.Popen(
        _aigonix("schema", "Microservice"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read()
        assert (process.wait(), stderr) == (0, b"")


def test_head_takes_the_first_line_quietly() -> None:
    command = f'{" ".join(_aigonix("schema", "Microservice"))} | head -1; echo "exit ${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert result.stdout == "{\nexit 0\n" and result.stderr == "", result


def test_the_commands_import_without_posix_only_modules() -> None:
    """What validate, render and generate load imports no fcntl at the top (Windows has none)."""
    code = (
        "import sys\n"
        "sys.modules['fcntl'] = None\n"
        "import aigonix_render.cli, aigonix_render.commands.pipeline, aigonix_render.commands.generate\n"
        "import aigonix_render.commands.cli_render, aigonix_render.write, aigonix_render.seal\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_process_ends_at_once_with_every_byte_and_its_exit_code(demo_keyed: Path, tmp_path: Path) -> None:
    """``main`` ends the process without tearing its objects down (``cli.hard_exit``): what
    it wrote is all there, through a pipe, and its exit code is the command's."""
    argv = ("generate", str(SAMPLE), "--app", "shop", "--env", "Dev")
    in_process, process = run_line(*argv), run_process(*argv)
    assert len(process.stdout) > 30_000
    assert (process.exit_code, process.stdout, process.stderr) == (0, in_process.stdout, "")
    broken = tmp_path / "broken"
    shutil.copytree(BASE, broken)
    (broken / WEB).write_text("kind: Microservice\nname: [\n")
    in_process, process = run_line("validate", str(broken)), run_process("validate", str(broken))
    assert (process.exit_code, process.stderr) == (1, in_process.stderr)


def test_the_process_ends_without_tearing_down() -> None:
    """No exit handler runs after a command (``hard_exit`` ends the process as it is), and
    what the command wrote is all there."""
    code = (
        "import atexit, sys; atexit.register(print, 'torn down', file=sys.stderr); "
        "sys.argv = ['aigonix-render', 'schema']; from aigonix_render.cli import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "kinds: Customer, Application, Microservice (aigonix-render schema KIND prints one)\n",
        "",
    )


def test_an_exit_with_a_message_prints_it_and_exits_1() -> None:
    code = "from aigonix_render.cli import hard_exit; print('written', end=''); hard_exit('a message')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (1, "written", "a message\n")


def test_closed_standard_streams_change_no_exit_code(tmp_path: Path) -> None:
    """Started with standard error (or output) closed, Python has no such stream: a command
    that succeeds still exits 0 and writes what it writes elsewhere."""
    out = tmp_path / "out"
    environ = {**os.environ, "SOPS_AGE_KEY_FILE": str(SAMPLE / "demo-age-key.txt")}
    runs = {
        "validate 2>&-": (("validate", str(BASE)), "2>&-"),
        "render 2>&-": (("render", str(SAMPLE), "-o", str(out)), "2>&-"),
        "schema >&-": (("schema", "Microservice"), ">&-"),
    }
    for name, (args, closing) in runs.items():
        command = f"{shlex.join(_aigonix(*args))} {closing}"
        result = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, env=environ, check=False
        )
        assert (result.returncode, result.stderr) == (0, ""), (name, result)
    assert (out / ".aigonix-render").is_file()


def test_a_reader_that_goes_away_keeps_the_commands_verdict(tmp_path: Path) -> None:
    """``render --check | head -1`` on a stale OUT exits 1, as without the pipe (a CI step
    with ``pipefail`` fails); so does ``validate`` of an invalid tree. Only standard
    output is dropped; what goes to standard error is all there."""
    out, tree = tmp_path / "out", tmp_path / "tree"
    shutil.copytree(BASE, tree)
    environ = {**os.environ, "SOPS_AGE_KEY_FILE": str(SAMPLE / "demo-age-key.txt")}
    shutil.copytree(SAMPLE, tmp_path / "sample")
    assert run_process("render", tmp_path / "sample", "-o", out, env=environ).exit_code == 0
    manifest = tmp_path / "sample" / WEB
    manifest.write_text(manifest.read_text().replace("replicas: 2", "replicas: 3", 1))
    (tree / WEB).write_text("kind: Microservice\nname: [\n")
    runs = {
        "render --check": (
            ("render", str(tmp_path / "sample"), "-o", str(out), "--check"),
            "is out of date\n",
        ),
        "validate": (("validate", str(tree)), ""),  # its problems go to standard output
    }
    for name, (args, told) in runs.items():
        with subprocess.Popen(
            _aigonix(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ
        ) as process:
            assert process.stdout is not None and process.stderr is not None
            process.stdout.close()
            stderr = process.stderr.read().decode()
            assert (process.wait(), stderr.endswith(told)) == (1, True), (name, stderr)
