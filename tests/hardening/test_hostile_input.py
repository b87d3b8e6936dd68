"""Hostile input: every one is refused, never a crash, never a hang, never a half-written output.

Each hostile tree is validated and rendered by a real process with its address space
limited to 1 GiB (RLIMIT_AS), timed, and measured (its peak resident set from ``wait4``).
A refusal is exit 1 with a ``file:line:column: error:`` line naming the offending file, or,
for an outside reason (where the output goes, keys, sops), exit 3 with one line
``aigonix-render: error: ...``. Never a traceback, never ``internal error``, and the
output directory a previous render wrote is left exactly as it was: same files, same
bytes, same mtimes. Static cases live in ``tests/cases/invalid/``; big or generated ones
(alias bombs, deep nesting, 10 MiB) are built here.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BASE, KEYS, TESTS, Run, build_case, public_key, run_line, snapshot

WEB = "applications/shop/microservices/web/aigonix.yaml"
BILLING = "applications/shop/microservices/billing"
DEV_SECRETS = f"{BILLING}/environments/Dev/secrets.yaml"
PROD_SECRETS = f"{BILLING}/environments/Prod/secrets.yaml"
MEMORY_LIMIT = 1 << 30  # RLIMIT_AS of every process started here
PEAK_MIB = 200  # what a refusal may use at most
SECONDS = 5.0  # what a refusal may take at most
ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):(?P<column>\d+): error: \S.*$", re.M)


# --- running a limited, measured process ---------------------------------------------------


@dataclass(frozen=True)
class Measured:
    run: Run
    seconds: float
    peak_mib: float

    def __str__(self) -> str:
        return f"{self.run}\n--- {self.seconds:.2f} s, peak {self.peak_mib:.0f} MiB"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


# The child reports its own peak (VmHWM of its memory map, which starts afresh at exec):
# wait4's ru_maxrss would also count the pages of the large test process it was forked from.
PEAK = (
    "import atexit, os, runpy, sys\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read()\n"
    "    os.write(int(os.environ['AIGONIX_TEST_PEAK_FD']), status.split('VmHWM:')[1].split()[0].encode())\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'aigonix-render'\n"
    "runpy.run_module('aigonix_render', run_name='__main__')\n"
)


def run_measured(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> Measured:
    """``aigonix-render ARGS`` as a real process under RLIMIT_AS, with its time and peak memory."""
    argv = [sys.executable, "-c", PEAK, *(str(a) for a in args)]
    reader, writer = os.pipe()
    full_env = {**os.environ, **(env or {}), "AIGONIX_TEST_PEAK_FD": str(writer)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            argv, stdout=out, stderr=err, env=full_env, preexec_fn=_limit_memory, pass_fds=(writer,)
        )
        os.close(writer)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.monotonic() - start
        reported = os.read(reader, 64)
        os.close(reader)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(
            process.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        )
    peak_kib = int(reported) if reported else usage.ru_maxrss
    return Measured(run, seconds, peak_kib / 1024)


def assert_no_crash(measured: Measured) -> None:
    text = measured.run.stdout + measured.run.stderr
    assert "Traceback" not in text, measured
    assert "internal error" not in text, measured
    assert measured.run.exit_code not in (70, -9), measured


def assert_refused(measured: Measured, file: str, seconds: float = SECONDS) -> None:
    """Exit 1, an error line naming ``file``, no traceback, fast and small."""
    assert_no_crash(measured)
    assert measured.run.exit_code == 1, measured
    files = [m["file"] for m in ERROR_LINE.finditer(measured.run.stdout + measured.run.stderr)]
    assert file in files, measured
    assert measured.seconds < seconds, measured
    assert measured.peak_mib < PEAK_MIB, measured


def assert_one_line_error(run: Run, code: int = 3) -> str:
    assert run.exit_code == code, run
    assert "Traceback" not in run.stdout + run.stderr, run
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("aigonix-render: error: "), run
    return lines[0]


def leftovers(out: Path) -> list[str]:
    """Staging or retired directories a run left beside ``out``."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.aigonix-"))


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "both.agekey"
    path.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    return path


@pytest.fixture(scope="module")
def template_out(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Path:
    """The output of the valid base tree, rendered once."""
    tree = tmp_path_factory.mktemp("template") / "tree"
    shutil.copytree(BASE, tree)
    out = tree.parent / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
        result = run_line("render", tree, "-o", out)
    assert result.exit_code == 0, result
    return out


@pytest.fixture
def old_out(template_out: Path, tmp_path: Path) -> Path:
    """A previous output of the valid base tree, to prove a refused render leaves it alone."""
    out = tmp_path / "previous" / "out"
    shutil.copytree(template_out, out)
    return out


@pytest.fixture
def key_env(key_file: Path) -> dict[str, str]:
    return {"SOPS_AGE_KEY_FILE": str(key_file)}


def refuse_everywhere(
    tree: Path, old_out: Path, env: dict[str, str], file: str, seconds: float = SECONDS
) -> tuple[Measured, Measured]:
    """``validate`` and ``render`` into the previous output both refuse; the output stays."""
    before = snapshot(old_out)
    validated = run_measured("validate", tree, env=env)
    assert_refused(validated, file, seconds)
    rendered = run_measured("render", tree, "-o", old_out, env=env)
    assert_refused(rendered, file, seconds)
    assert snapshot(old_out) == before
    assert leftovers(old_out) == []
    return validated, rendered


def copy_base(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, symlinks=True)
    return tree


# --- generated hostile YAML (kept out of git) ------------------------------------------------


def alias_bomb_top_level(text: str) -> str:
    """Billion laughs: 9 levels of 9 aliases (9**9 leaves) under an extra key."""
    lines = ["lol0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return text + "\n".join(lines) + "\n"


def alias_bomb_in_env(text: str) -> str:
    """The same bomb inside ``env`` (a mapping the schema accepts), used by a value."""
    lines = ["  BOMB0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"  BOMB{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return text.replace("env:\n  LOG_LEVEL: info\n", "env:\n" + "\n".join(lines) + "\n  LOG_LEVEL: *a9\n")


def alias_bomb_merge_keys(text: str) -> str:
    """A bomb of mappings joined with merge keys (``<<``), the other way aliases multiply."""
    lines = ["x0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(9)) + "}"]
    for i in range(1, 10):
        entries = ", ".join(f"k{j}: *m{i - 1}" for j in range(9))
        lines.append(f"x{i}: &m{i} {{{entries}}}")
    return text + "\n".join(lines) + "\n"


BOMBS: dict[str, Callable[[str], str]] = {
    "top-level": alias_bomb_top_level,
    "in-env": alias_bomb_in_env,
    "mappings": alias_bomb_merge_keys,
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_alias_bomb_is_refused_quickly_in_bounded_memory(
    kind: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    web = tree / WEB
    web.write_text(BOMBS[kind](web.read_text()))
    assert web.stat().st_size < 4096  # small in bytes, 9**9 values when expanded
    refuse_everywhere(tree, old_out, key_env, WEB, seconds=5.0)


DEPTH = 10_000
NESTINGS: dict[str, Callable[[], str]] = {
    "sequences": lambda: "extra: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "mappings": lambda: "extra: " + "{a: " * DEPTH + "b" + "}" * DEPTH + "\n",
}


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_nesting_ten_thousand_levels_deep_is_refused(
    kind: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    web = tree / WEB
    web.write_text(web.read_text() + NESTINGS[kind]())
    refuse_everywhere(tree, old_out, key_env, WEB, seconds=10.0)


def test_a_ten_mebibyte_manifest_is_refused(tmp_path: Path, old_out: Path, key_env: dict[str, str]) -> None:
    tree = copy_base(tmp_path)
    web = tree / WEB
    value = "x" * 100
    many = "".join(f"  VAR_{i:06d}: {value}\n" for i in range(10 * 1024 * 1024 // 110))
    web.write_text(web.read_text().replace("env:\n", "env:\n" + many))
    assert web.stat().st_size >= 10 * 1024 * 1024
    refuse_everywhere(tree, old_out, key_env, WEB)


def test_a_ten_mebibyte_secrets_file_is_refused(
    tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    secrets = tree / DEV_SECRETS
    padding = "".join(f"# {'p' * 117}\n" for _ in range(10 * 1024 * 1024 // 120 + 1))
    secrets.write_text(padding + secrets.read_text())
    assert secrets.stat().st_size >= 10 * 1024 * 1024
    refuse_everywhere(tree, old_out, key_env, DEV_SECRETS)


# --- static hostile cases (tests/cases/invalid) ------------------------------------------------

STATIC = [
    "invalid-utf8",
    "byte-order-mark",
    "utf16-encoding",
    "tab-indentation",
    "nul-byte",
    "two-documents",
    "document-is-a-list",
    "document-is-a-scalar",
    "yaml-undefined-alias",
    "yaml-binary-tag",
    "yaml-custom-tag",
    "yaml-set-tag",
    "yaml-complex-key",
    "application-name-upper-case",
    "application-name-parent-path",
    "application-name-with-slash",
    "microservice-name-parent-path",
    "microservice-name-with-slash",
    "deploy-to-parent-path",
    "environment-override-name-with-slash",
    "env-var-name-parent-path",
    "cluster-name-parent-path",
    "registry-credentials-outside-repository",
    "symlink-in-files-outside-repository",
    "symlink-in-files-to-folder",
    "secrets-file-plaintext",
    "secrets-file-partly-encrypted",
    "secret-also-plain-env-var",
    "secret-also-env-var-in-override",
]


def test_the_static_cases_exist() -> None:
    for name in STATIC:
        assert (TESTS / "cases" / "invalid" / name / "expected.txt").is_file(), name


@pytest.mark.parametrize("name", STATIC)
def test_static_hostile_case_is_refused(
    name: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    case = TESTS / "cases" / "invalid" / name
    expected = (case / "expected.txt").read_text()
    first = ERROR_LINE.search(expected)
    assert first is not None, expected
    tree = build_case(case, tmp_path / "tree")
    validated, rendered = refuse_everywhere(tree, old_out, key_env, first["file"])
    assert validated.run.stdout == expected, validated
    errors = len(ERROR_LINE.findall(expected))
    noun = "error" if errors == 1 else "errors"
    assert rendered.run.stderr == expected + f"aigonix-render: the tree does not validate ({errors} {noun})\n"
    assert rendered.run.stdout == ""


PLAINTEXT_VALUES = ("plaintext-db-password", "plaintext-api-key", "partly-plain-api-key")


@pytest.mark.parametrize("name", ["secrets-file-plaintext", "secrets-file-partly-encrypted"])
def test_plaintext_secret_values_are_never_quoted(name: str, tmp_path: Path, key_env: dict[str, str]) -> None:
    tree = build_case(TESTS / "cases" / "invalid" / name, tmp_path / "tree")
    for args in (
        ("validate", tree),
        ("render", tree, "-o", tmp_path / "out"),
        ("show", tree, "billing", "--env", "Prod"),
    ):
        measured = run_measured(*args, env=key_env)
        assert_no_crash(measured)
        assert measured.run.exit_code == 1, measured
        for value in PLAINTEXT_VALUES:
            assert value not in measured.run.stdout + measured.run.stderr, measured
    assert not (tmp_path / "out").exists()


# --- symlinks that lead out of the repository ---------------------------------------------------


def test_a_config_file_symlink_to_a_secret_outside_is_refused_and_not_read(
    tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE-SECRET-7d1c\n")
    tree = copy_base(tmp_path)
    (tree / BILLING / "files" / "stolen.txt").symlink_to(outside)
    validated, rendered = refuse_everywhere(tree, old_out, key_env, f"{BILLING}/files/stolen.txt")
    assert "OUTSIDE-SECRET-7d1c" not in validated.run.stdout + rendered.run.stderr


@pytest.mark.parametrize(
    ("relative", "outside_name"), [(DEV_SECRETS, "someone-elses.sops.yaml"), (WEB, "aigonix.yaml")]
)
def test_a_yaml_symlink_leading_outside_is_refused(
    relative: str, outside_name: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    """A secrets.yaml or an aigonix.yaml may not be a symlink out of the repository."""
    outside = tmp_path / "elsewhere" / outside_name
    outside.parent.mkdir()
    tree = copy_base(tmp_path)
    shutil.move(tree / relative, outside)
    (tree / relative).symlink_to(outside)
    refuse_everywhere(tree, old_out, key_env, relative)


FOLDER_LINKS = {
    "microservice": "applications/shop/microservices/billing",
    "application": "applications/shop",
}


@pytest.mark.parametrize("kind", sorted(FOLDER_LINKS))
def test_a_symlinked_folder_is_never_silently_skipped(
    kind: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    folder = FOLDER_LINKS[kind]
    tree = copy_base(tmp_path)
    outside = tmp_path / "elsewhere" / kind
    outside.parent.mkdir()
    shutil.move(tree / folder, outside)
    (tree / folder).symlink_to(outside)
    before = snapshot(old_out)
    result = run_measured("render", tree, "-o", old_out, env=key_env)
    assert_no_crash(result)
    if result.run.exit_code == 0:  # followed: the same objects as before
        assert sorted(snapshot(old_out)) == sorted(before), result
    else:  # refused: named, and nothing removed
        assert result.run.exit_code == 1, result
        files = [m["file"] for m in ERROR_LINE.finditer(result.run.stderr)]
        assert any(f.startswith(folder) for f in files), result
        assert snapshot(old_out) == before


# --- names Kubernetes refuses ------------------------------------------------------------------

LEDGER = "applications/shop/microservices/ledger/aigonix.yaml"


def error_lines(run: Run, file: str) -> list[str]:
    return [m.group(0) for m in ERROR_LINE.finditer(run.stdout + run.stderr) if m["file"] == file]


@pytest.mark.parametrize("name", [".", "..", "..data"])
def test_env_var_names_kubernetes_refuses_are_refused(
    name: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    web = tree / WEB
    web.write_text(web.read_text().replace("  LOG_LEVEL: info\n", f"  LOG_LEVEL: info\n  '{name}': x\n"))
    validated, _ = refuse_everywhere(tree, old_out, key_env, WEB)
    assert any(repr(name) in line for line in error_lines(validated.run, WEB)), validated


def test_a_config_file_named_dot_dot_data_is_refused(
    tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    (tree / BILLING / "files" / "..data").write_text("x\n")
    refuse_everywhere(tree, old_out, key_env, f"{BILLING}/files/..data")


@pytest.mark.parametrize("port", [50052, 9700])
def test_a_head_port_on_the_runtime_ports_is_refused(
    port: int, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    ledger = tree / LEDGER
    text = ledger.read_text()
    ledger.write_text(text.replace("ledger:1.0.0\n", f"ledger:1.0.0\n  port: {port}\n"))
    assert f"port: {port}" in ledger.read_text()
    refuse_everywhere(tree, old_out, key_env, LEDGER)


# --- where the output goes (exit 3) ----------------------------------------------------------


def test_output_inside_an_input_folder_is_refused(tmp_path: Path, key_env: dict[str, str]) -> None:
    tree = copy_base(tmp_path)
    before = snapshot(tree)
    out = tree / "applications" / "shop" / "out"
    line = assert_one_line_error(run_measured("render", tree, "-o", out, env=key_env).run, 2)
    assert line == (
        f"aigonix-render: error: the output directory {out} is inside the input folder applications/; "
        "choose another"
    )
    assert not out.exists()
    assert snapshot(tree) == before


def test_output_equal_to_the_root_is_refused(tmp_path: Path, key_env: dict[str, str]) -> None:
    tree = copy_base(tmp_path)
    before = snapshot(tree)
    for out in (tree, tree.parent):
        line = assert_one_line_error(run_measured("render", tree, "-o", out, env=key_env).run, 2)
        assert (
            line
            == f"aigonix-render: error: the output directory {out} would contain the input tree; choose another"
        )
    assert snapshot(tree) == before
    assert sorted(p.name for p in tree.parent.iterdir()) == ["tree"]


def test_output_that_is_a_symlink_to_the_root_is_refused(tmp_path: Path, key_env: dict[str, str]) -> None:
    tree = copy_base(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(tree)
    before = snapshot(tree)
    line = assert_one_line_error(run_measured("render", tree, "-o", link, env=key_env).run, 2)
    assert "would contain the input tree" in line
    assert snapshot(tree) == before
    assert link.is_symlink()


def test_output_that_is_a_file_is_refused(tmp_path: Path, key_env: dict[str, str]) -> None:
    tree = copy_base(tmp_path)
    out = tmp_path / "out.yaml"
    out.write_text("precious\n")
    line = assert_one_line_error(run_measured("render", tree, "-o", out, env=key_env).run)
    assert line == f"aigonix-render: error: {out} is a file, not a directory"
    assert out.read_text() == "precious\n"
    assert leftovers(out) == []


# --- secrets that cannot be decrypted (exit 3, nothing written) --------------------------------


def sops_encrypt(plaintext: str, recipients: str) -> str:
    from aigonix_render.seal.sops import find_sops

    argv = [find_sops(), "encrypt", "--age", recipients, "--input-type", "yaml", "--output-type", "yaml"]
    argv += ["--filename-override", "secrets.yaml", "/dev/stdin"]
    result = subprocess.run(argv, input=plaintext, capture_output=True, text=True, check=True)
    return result.stdout


def assert_nothing_written(tree: Path, old_out: Path, env: dict[str, str], message: str) -> Run:
    """``render`` exits 3 with ``message`` into a fresh and into the previous output, writing nothing."""
    fresh = old_out.parent.parent / "fresh" / "out"
    first = run_measured("render", tree, "-o", fresh, env=env).run
    assert_one_line_error(first)
    assert first.stderr == message, first
    assert not fresh.exists()
    assert not fresh.parent.exists() or leftovers(fresh) == []
    before = snapshot(old_out)
    second = run_measured("render", tree, "-o", old_out, env=env).run
    assert_one_line_error(second)
    assert second.stderr == message, second
    assert snapshot(old_out) == before
    assert leftovers(old_out) == []
    return first


def test_secrets_encrypted_to_a_key_the_caller_lacks(
    tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    (tree / DEV_SECRETS).write_text(
        sops_encrypt("DB_PASSWORD: lacking-1\nAPI_KEY: lacking-2\n", public_key("other"))
    )
    assert run_line("validate", tree).exit_code == 0
    run = assert_nothing_written(
        tree,
        old_out,
        key_env,
        f"aigonix-render: error: {DEV_SECRETS}: sops could not decrypt it: no key to decrypt it "
        "(set SOPS_AGE_KEY_FILE or another sops key source)\n",
    )
    assert "lacking-" not in run.stdout + run.stderr


def tamper(text: str, field: str) -> str:
    """Change one character inside the base64 ``data:`` of ``field``'s ENC[...] value."""
    match = re.search(rf"^\s*{field}: ENC\[AES256_GCM,data:([A-Za-z0-9+/=]+),", text, re.M)
    assert match is not None, field
    index = match.start(1) + 2
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


TAMPERED_FIELDS = ("API_KEY", "mac")


@pytest.mark.parametrize("field", TAMPERED_FIELDS)
def test_a_tampered_secrets_file_is_refused_and_nothing_written(
    field: str, tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    secrets = tree / PROD_SECRETS
    secrets.write_text(tamper(secrets.read_text(), field))
    assert run_line("validate", "--strict", tree).exit_code == 0  # structurally valid
    fresh = tmp_path / "fresh"
    result = run_measured("render", tree, "-o", fresh, env=key_env).run
    line = assert_one_line_error(result)
    assert line.startswith(f"aigonix-render: error: {PROD_SECRETS}: sops could not decrypt it: "), result
    assert not fresh.exists()
    before = snapshot(old_out)
    again = run_measured("render", tree, "-o", old_out, env=key_env).run
    assert again.stderr == result.stderr, again
    assert snapshot(old_out) == before
    assert leftovers(old_out) == []


@pytest.mark.parametrize("field", TAMPERED_FIELDS)
def test_a_tampered_secrets_file_is_called_tampered(
    field: str, tmp_path: Path, key_env: dict[str, str]
) -> None:
    tree = copy_base(tmp_path)
    secrets = tree / PROD_SECRETS
    secrets.write_text(tamper(secrets.read_text(), field))
    result = run_measured("render", tree, "-o", tmp_path / "out", env=key_env).run
    line = assert_one_line_error(result)
    assert PROD_SECRETS in line
    assert re.search(r"(?i)MAC mismatch|authenticat|tamper|changed without sops", line), result


# --- many hostile files at once ---------------------------------------------------------------


def test_all_hostile_overlays_together_report_every_file(
    tmp_path: Path, old_out: Path, key_env: dict[str, str]
) -> None:
    """Each broken file is reported on its own; one does not hide or crash another."""
    tree = copy_base(tmp_path)
    web = tree / WEB
    web.write_text(alias_bomb_top_level(web.read_text()))
    for n, name in enumerate(("invalid-utf8", "nul-byte", "tab-indentation", "two-documents")):
        source = TESTS / "cases" / "invalid" / name / "overlay" / WEB
        target = tree / f"applications/shop/microservices/extra{n}/aigonix.yaml"
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    deep = tree / "applications/shop/microservices/deep/aigonix.yaml"
    deep.parent.mkdir()
    deep.write_text("a: " + "[" * DEPTH + "]" * DEPTH + "\n")
    validated, _ = refuse_everywhere(tree, old_out, key_env, WEB, seconds=10.0)
    files = {m["file"] for m in ERROR_LINE.finditer(validated.run.stdout)}
    expected = {WEB, deep.relative_to(tree).as_posix()} | {
        f"applications/shop/microservices/extra{n}/aigonix.yaml" for n in range(4)
    }
    assert expected <= files, validated
