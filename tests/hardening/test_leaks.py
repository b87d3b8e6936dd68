"""Plaintext never leaks: canary secret values appear nowhere but encrypted.

A copy of the base tree gets unique canary values (``CANARY-<uuid>``) in every secret
source (both environments' ``secrets.yaml`` and the registry credentials), encrypted with
sops to the test keys. Every command then runs as a real process with a fresh ``TMPDIR``,
and the canaries are looked for in its stdout and stderr, in every file left under that
``TMPDIR`` and beside the output directory, and in the output files: as written, and inside
every base64 token (a Secret's ``data`` and ``.dockerconfigjson``'s ``auth`` are base64).
Failing runs too: the wrong key, no sops at all, and fake sops programs that print the
plaintext they were given and then fail, kill themselves, or succeed with garbage.
Only ``generate`` may print them, on stdout, and only when it succeeds.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import BASE, KEYS, Run, public_key, snapshot, sops_decrypt

BILLING = "applications/shop/microservices/billing"
SECRETS = {
    "Dev": f"{BILLING}/environments/Dev/secrets.yaml",
    "Prod": f"{BILLING}/environments/Prod/secrets.yaml",
}
REGISTRY = "registry.sops.yaml"
CANARIES = {
    f"{where}/{name}": f"CANARY-{uuid.uuid4()}"
    for where, names in (("Dev", ("DB_PASSWORD", "API_KEY")), ("Prod", ("DB_PASSWORD", "API_KEY")))
    for name in names
} | {f"registry/{name}": f"CANARY-{uuid.uuid4()}" for name in ("username", "password")}
# The part of each canary no innocent text holds; a leak of any form keeps it whole.
MARKS = [value.removeprefix("CANARY-") for value in CANARIES.values()]
BASE64_TOKEN = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
# Launches the CLI with another sys.executable, so find_sops looks beside it first.
LAUNCH = (
    "import sys; sys.executable = sys.argv.pop(1); sys.argv[0] = 'aigonix-render'; "
    "from aigonix_render.cli import main; main()"
)


# --- looking for canaries -------------------------------------------------------------------


def _decoded(token: bytes) -> Iterator[bytes]:
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        padded = token + b"=" * (-len(token) % 4)
        try:
            yield decode(padded)
        except (binascii.Error, ValueError):
            continue


def canaries_in(data: bytes, depth: int = 2) -> list[str]:
    """The canaries ``data`` holds: as they are, or inside base64 (twice nested at most)."""
    found = [mark for mark in MARKS if mark.encode() in data]
    if depth:
        for token in BASE64_TOKEN.findall(data):
            for decoded in _decoded(token):
                found += canaries_in(decoded, depth - 1)
    return sorted(set(found))


def test_the_canary_finder_finds_canaries() -> None:
    mark = MARKS[0]
    auth = base64.b64encode(f"user:CANARY-{mark}".encode())
    config = base64.b64encode(json.dumps({"auths": {"r": {"auth": auth.decode()}}}).encode())
    assert canaries_in(b"x " + config + b" y") == [mark]
    assert canaries_in(f"value: CANARY-{mark}\n".encode()) == [mark]
    assert canaries_in(b"nothing to see " + base64.b64encode(b"here, really nothing")) == []


def leaks_in_folder(folder: Path) -> dict[str, list[str]]:
    """Files under ``folder`` (not following links) that hold a canary."""
    found: dict[str, list[str]] = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            hits = canaries_in(path.read_bytes())
            if hits:
                found[path.relative_to(folder).as_posix()] = hits
    return found


# --- the canary tree ------------------------------------------------------------------------


def encrypt(plaintext: str, path: Path) -> None:
    from aigonix_render.seal.sops import find_sops

    argv = [find_sops(), "encrypt", "--age", f"{public_key('dev')},{public_key('prod')}"]
    argv += ["--input-type", "yaml", "--output-type", "yaml", "--filename-override", path.name, "/dev/stdin"]
    result = subprocess.run(argv, input=plaintext, capture_output=True, text=True, check=True)
    path.write_text(result.stdout)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "both.agekey"
    path.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    return path


@pytest.fixture(scope="module")
def canary_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("canary") / "tree"
    shutil.copytree(BASE, tree)
    for env, relative in SECRETS.items():
        plaintext = "".join(f"{name}: {CANARIES[f'{env}/{name}']}\n" for name in ("DB_PASSWORD", "API_KEY"))
        encrypt(plaintext, tree / relative)
    registry = "".join(f"{name}: {CANARIES[f'registry/{name}']}\n" for name in ("username", "password"))
    encrypt(registry, tree / REGISTRY)
    return tree


@pytest.fixture
def tree(canary_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "repo" / "tree"
    shutil.copytree(canary_template, target)
    return target


@dataclass
class Place:
    """Where a run may leave things: its own TMPDIR and HOME, and the output's folder."""

    tmp: Path
    home: Path
    outputs: Path

    @property
    def out(self) -> Path:
        return self.outputs / "out"


@pytest.fixture
def place(tmp_path: Path) -> Place:
    found = Place(tmp_path / "tmpdir", tmp_path / "home", tmp_path / "outputs")
    for folder in (found.tmp, found.home, found.outputs):
        folder.mkdir()
    return found


def run_cli(
    place: Place,
    *args: str | Path,
    key: Path | None,
    executable: Path | None = None,
    path: str | None = None,
) -> Run:
    """The CLI as a real process with its own TMPDIR and HOME; ``executable`` replaces
    ``sys.executable`` (find_sops looks beside it) and ``path`` replaces PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOPS_", "ARGOCD_ENV_", "PARAM_"))}
    env |= {"TMPDIR": str(place.tmp), "HOME": str(place.home)}
    if key is not None:
        env["SOPS_AGE_KEY_FILE"] = str(key)
    if executable is not None:  # a fake sops is only ever run on the binary path
        env["AIGONIX_RENDER_SOPS_BINARY"] = "1"
    if path is not None:
        env["PATH"] = path
    launch = ["-m", "aigonix_render"] if executable is None else ["-c", LAUNCH, str(executable)]
    argv = [sys.executable, *launch, *(str(a) for a in args)]
    result = subprocess.run(argv, capture_output=True, env=env, check=False, timeout=120)
    return Run(
        result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    )


def assert_no_leak(run: Run, place: Place, stdout_may: bool = False) -> None:
    assert canaries_in(run.stderr.encode()) == [], run
    if not stdout_may:
        assert canaries_in(run.stdout.encode()) == [], run
    assert leaks_in_folder(place.tmp) == {}
    assert leaks_in_folder(place.home) == {}
    assert leaks_in_folder(place.outputs) == {}
    assert "Traceback" not in run.stdout + run.stderr, run


def change_secret_sources(tree: Path) -> None:
    """New bytes, same values: every Secret is stale and must be decrypted again."""
    for relative in (*SECRETS.values(), REGISTRY):
        source = tree / relative
        source.write_text(source.read_text() + "\n")


def render_ok(place: Place, tree: Path, key: Path) -> Run:
    result = run_cli(place, "render", tree, "-o", place.out, key=key)
    assert result.exit_code == 0, result
    return result


# --- successful runs ------------------------------------------------------------------------


def test_render_leaks_nothing_and_the_canaries_are_in_the_secrets(
    tree: Path, place: Place, key_file: Path
) -> None:
    result = render_ok(place, tree, key_file)
    assert "3 Secrets encrypted" in result.stderr
    assert_no_leak(result, place)
    # the canaries did go through: each Secret decrypts to its environment's values
    dev = yaml.safe_load(
        sops_decrypt(place.out / "shop/dev/secret-dev-billing-secret-env-variables.yaml", KEYS / "dev.agekey")
    )
    assert dev["stringData"] == {name: CANARIES[f"Dev/{name}"] for name in ("API_KEY", "DB_PASSWORD")}
    acr = yaml.safe_load(sops_decrypt(place.out / "shop/_shared/secret-acr.yaml", KEYS / "prod.agekey"))
    assert CANARIES["registry/password"] in acr["stringData"][".dockerconfigjson"]


def test_validate_show_check_and_diff_leak_nothing(tree: Path, place: Place, key_file: Path) -> None:
    render_ok(place, tree, key_file)
    change_secret_sources(tree)
    runs = {
        "validate": run_cli(place, "validate", "--strict", tree, key=None),
        "validate-json": run_cli(place, "validate", "--format", "json", tree, key=None),
        "check": run_cli(place, "render", tree, "-o", place.out, "--check", key=None),
        "diff": run_cli(place, "diff", tree, "-o", place.out, "--exit-code", key=None),
        "show-dev": run_cli(place, "show", tree, "billing", "--env", "Dev", key=key_file),
        "show-prod": run_cli(place, "show", tree, "Billing", "--env", "Prod", key=key_file),
    }
    stale = {"check": 1, "diff": 1}  # the changed sources make both report the Secrets
    assert {name: run for name, run in runs.items() if run.exit_code != stale.get(name, 0)} == {}
    assert "secret-dev-billing-secret-env-variables.yaml" in runs["check"].stdout
    assert "values not shown" in runs["diff"].stdout
    assert yaml.safe_load(runs["show-dev"].stdout)["secrets"] == ["API_KEY", "DB_PASSWORD"]
    for run in runs.values():
        assert_no_leak(run, place)


def test_generate_prints_the_values_on_stdout_only(tree: Path, place: Place, key_file: Path) -> None:
    for target, keys in (("Dev", ("Dev/DB_PASSWORD", "Dev/API_KEY")), ("_shared", ("registry/password",))):
        result = run_cli(place, "generate", tree, "--app", "shop", "--env", target, key=key_file)
        assert result.exit_code == 0, result
        assert_no_leak(result, place, stdout_may=True)
        assert all(CANARIES[k] in result.stdout for k in keys), result
        assert CANARIES["Prod/DB_PASSWORD"] not in result.stdout
        assert result.stderr == ""


# --- failing runs ---------------------------------------------------------------------------


def test_the_wrong_key_leaks_nothing(tree: Path, place: Place, key_file: Path) -> None:
    render_ok(place, tree, key_file)
    before = snapshot(place.out)
    change_secret_sources(tree)
    other = KEYS / "other.agekey"
    for args in (("render", tree, "-o", place.out), ("generate", tree, "--app", "shop", "--env", "Prod")):
        result = run_cli(place, *args, key=other)
        assert result.exit_code == 3, result
        assert "no key to decrypt it" in result.stderr
        assert result.stdout == ""
        assert_no_leak(result, place)
    assert snapshot(place.out) == before


def test_no_sops_leaks_nothing(tree: Path, place: Place, key_file: Path, tmp_path: Path) -> None:
    render_ok(place, tree, key_file)
    before = snapshot(place.out)
    change_secret_sources(tree)
    nowhere = tmp_path / "no-sops-here"
    nowhere.mkdir()
    for args in (("render", tree, "-o", place.out), ("generate", tree, "--app", "shop", "--env", "Dev")):
        result = run_cli(place, *args, key=key_file, executable=nowhere / "python", path=str(nowhere))
        assert result.exit_code == 3, result
        assert result.stderr == (
            "aigonix-render: error: sops was not found: install aigonix-render with pip (it brings sops) "
            "or put sops on PATH\n"
        )
        assert result.stdout == ""
        assert_no_leak(result, place)
    assert snapshot(place.out) == before


FAKE_SOPS = {
    # sops works, then prints what it was given and what it produced, and fails
    "echoes-and-fails": 'printf "%s\\n%s\\n" "$given" "$made"; printf "%s\\n%s\\n" "$given" "$made" >&2; exit 1',
    # sops works, prints half its work, and dies by SIGKILL
    "prints-and-dies": 'printf "%s" "$made"; printf "%s" "$given" >&2; kill -9 $$',
    # decrypting works; encrypting prints the plaintext it was given and fails
    "encrypt-echoes-and-fails": (
        'if [ "$3" = decrypt ]; then printf "%s" "$made"; exit 0; fi; '
        'printf "%s" "$given"; printf "%s" "$given" >&2; exit 2'
    ),
}
FAKE_HEADER = """#!/bin/sh
given="$(cat)"
made="$(printf "%s" "$given" | "{real}" "$@" 2>&1)"
status=$?
"""


def fake_sops(tmp_path: Path, name: str, body: str) -> Path:
    """A folder with a ``sops`` that wraps the real one; its ``python`` is what the CLI
    believes ``sys.executable`` to be, so find_sops picks the fake."""
    from aigonix_render.seal.sops import find_sops

    folder = tmp_path / f"fake-{name}"
    folder.mkdir()
    script = folder / "sops"
    script.write_text(FAKE_HEADER.format(real=find_sops()) + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.parametrize("behaviour", sorted(FAKE_SOPS))
def test_a_failing_sops_leaks_nothing(
    behaviour: str, tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    render_ok(place, tree, key_file)
    before = snapshot(place.out)
    change_secret_sources(tree)
    folder = fake_sops(tmp_path, behaviour, FAKE_SOPS[behaviour])
    runs = [
        run_cli(place, "render", tree, "-o", place.out, key=key_file, executable=folder / "python"),
        run_cli(
            place, "render", tree, "-o", place.outputs / "fresh", key=key_file, executable=folder / "python"
        ),
    ]
    if behaviour != "encrypt-echoes-and-fails":
        generate = ("generate", tree, "--app", "shop", "--env", "Dev")
        runs.append(run_cli(place, *generate, key=key_file, executable=folder / "python"))
    for result in runs:
        assert result.exit_code == 3, result
        assert re.fullmatch(
            r"aigonix-render: error: \S+: sops could not (de|en)crypt it: .+\n", result.stderr
        ), result
        assert result.stdout == ""
        assert_no_leak(result, place)
    assert snapshot(place.out) == before
    assert not (place.outputs / "fresh").exists()


GARBAGE = {
    # what a wrong program called sops, or a wrong version, could answer with exit 0
    "not-json": "printf 'x%s\\n' \"$made\"",
    "json-list": "printf '[1]\\n'",
    "json-string": "printf '\"%s\"\\n' garbage",
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_sops_that_succeeds_with_garbage_is_an_outside_error(
    kind: str, tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    body = f'if [ "$3" = decrypt ]; then {GARBAGE[kind]}; exit 0; fi; printf "%s" "$made"; exit $status'
    folder = fake_sops(tmp_path, kind, body)
    for args in (("render", tree, "-o", place.out), ("generate", tree, "--app", "shop", "--env", "Dev")):
        result = run_cli(place, *args, key=key_file, executable=folder / "python")
        assert_no_leak(result, place)
        assert result.exit_code == 3, result
        assert re.fullmatch(r"aigonix-render: error: \S+: .+\n", result.stderr), result
        assert result.stdout == ""
    assert not place.out.exists()


def test_a_sops_that_does_not_encrypt_never_puts_plaintext_at_rest(
    tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    body = 'if [ "$3" = encrypt ]; then printf "%s" "$given"; exit 0; fi; printf "%s" "$made"; exit $status'
    folder = fake_sops(tmp_path, "no-encryption", body)
    result = run_cli(place, "render", tree, "-o", place.out, key=key_file, executable=folder / "python")
    assert_no_leak(result, place)
    assert result.exit_code == 3, result


def test_a_sops_that_forges_its_encryption_is_refused(
    tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    """Values that merely start with ENC[ are not sops's cipher: nothing is written."""
    forge = "sed -E 's/ENC\\[AES256_GCM,data:[^,]*,iv:[^,]*,tag:[^,]*,/ENC[AES256_GCM,data:x,iv:y,tag:z,/'"
    body = f'if [ "$3" = encrypt ]; then printf "%s" "$made" | {forge}; exit 0; fi; printf "%s" "$made"; exit $status'
    folder = fake_sops(tmp_path, "forges", body)
    result = run_cli(place, "render", tree, "-o", place.out, key=key_file, executable=folder / "python")
    assert_no_leak(result, place)
    assert result.exit_code == 3, result
    assert re.fullmatch(
        r"aigonix-render: error: \S+: sops did not encrypt it; is .+ sops\? Nothing was written\n",
        result.stderr,
    ), result
    assert not place.out.exists()


def test_a_hung_sops_is_stopped_after_the_timeout(
    tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    """sops and what it started (here the shell's ``sleep``, which holds sops's pipes) are
    stopped: the run ends at the timeout, not when the last of them ends."""
    folder = fake_sops(tmp_path, "hangs", "sleep 60")
    args = ("render", tree, "-o", place.out, "--sops-timeout", "0.5")
    started = time.monotonic()
    result = run_cli(place, *args, key=key_file, executable=folder / "python")
    assert time.monotonic() - started < 30, "waited for the sleep sops started"
    assert result.exit_code == 3, result
    assert re.fullmatch(
        r"aigonix-render: error: \S+: sops did not finish within 0.5 s and was stopped "
        r"\(a key service that does not answer\?\); --sops-timeout sets the limit\n",
        result.stderr,
    ), result
    assert not place.out.exists()


def test_a_sops_config_in_the_working_folder_changes_nothing(
    tree: Path, key_file: Path, tmp_path: Path
) -> None:
    """sops reads .sops.yaml from its working folder upwards; aigonix-render never lets it."""
    from conftest import run_process

    caller = tmp_path / "caller"
    caller.mkdir()
    other = public_key("other")
    rules = f"creation_rules:\n  - age: {other}\n    encrypted_regex: ^nothing$\nstores:\n  yaml:\n    indent: 8\n"
    (caller / ".sops.yaml").write_text(rules)
    out = tmp_path / "out"
    result = run_process("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(key_file)}, cwd=caller)
    assert result.exit_code == 0, result
    sealed = out / "shop/prod/secret-prod-billing-secret-env-variables.yaml"
    assert "\n    age:\n" in sealed.read_text() and other not in sealed.read_text()
    assert yaml.safe_load(sops_decrypt(sealed, KEYS / "prod.agekey"))["stringData"]


# --- error messages about plaintext secrets files --------------------------------------------

PLAINTEXT_SECRETS = {
    "plaintext": "DB_PASSWORD: {a}\nAPI_KEY: {b}\n",
    "duplicate-key": "DB_PASSWORD: {a}\nDB_PASSWORD: {b}\nAPI_KEY: x\n",
    "unclosed-quote": 'DB_PASSWORD: "{a}\nAPI_KEY: {b}\n',
    "colon-in-value": "DB_PASSWORD: {a}: {b}\nAPI_KEY: x\n",
    "tab": "DB_PASSWORD: {a}\n\tAPI_KEY: {b}\n",
    "not-a-string": "DB_PASSWORD: [{a}]\nAPI_KEY: {{k: {b}}}\n",
    "list": "- {a}\n- {b}\n",
    "extra-key": "DB_PASSWORD: {a}\nAPI_KEY: x\nEXTRA: {b}\n",
    "fake-enc": "DB_PASSWORD: ENC[{a}]\nAPI_KEY: ENC[AES256_GCM,data:{b},type:int]\nsops: {{mac: x}}\n",
}


@pytest.mark.parametrize("kind", sorted(PLAINTEXT_SECRETS))
def test_errors_about_a_plaintext_secrets_file_never_quote_a_value(
    kind: str, tree: Path, place: Place, key_file: Path
) -> None:
    a, b = CANARIES["Dev/DB_PASSWORD"], CANARIES["Dev/API_KEY"]
    (tree / SECRETS["Dev"]).write_text(PLAINTEXT_SECRETS[kind].format(a=a, b=b))
    for args in (
        ("validate", tree),
        ("validate", "--format", "json", tree),
        ("validate", "--format", "github", tree),
        ("render", tree, "-o", place.out),
        ("diff", tree, "-o", place.out),
        ("show", tree, "billing", "--env", "Dev"),
        ("generate", tree, "--app", "shop", "--env", "Dev"),
    ):
        result = run_cli(place, *args, key=key_file)
        assert result.exit_code == 1, result
        assert SECRETS["Dev"] in result.stdout + result.stderr, result
        assert_no_leak(result, place)
    assert not place.out.exists()


def test_ctrl_c_stops_sops_and_leaves_the_output(
    tree: Path, place: Place, key_file: Path, tmp_path: Path
) -> None:
    """Ctrl-C reaches the terminal's whole process group: exit 130, no staging, OUT as it
    was, and sops stopped with what it started."""
    import signal
    import time

    render_ok(place, tree, key_file)
    before = snapshot(place.out)
    change_secret_sources(tree)
    folder = fake_sops(tmp_path, "slow", "sleep 30")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env |= {"SOPS_AGE_KEY_FILE": str(key_file), "AIGONIX_RENDER_SOPS_BINARY": "1", "TMPDIR": str(place.tmp)}
    argv = [sys.executable, "-c", LAUNCH, str(folder / "python"), "render", str(tree), "-o", str(place.out)]
    process = subprocess.Popen(
        argv,
        env=env,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # a terminal's Ctrl-C: as if typed, even when these tests run as a background job
        # (a shell starts those with SIGINT ignored, and children inherit that)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not (sleeping := _descendants_named(process.pid, "sleep")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert time.monotonic() < deadline, "the fake sops never started"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert not any(map(_running, sleeping)), "what sops started still runs"
    assert stderr.decode().endswith("aigonix-render: interrupted; the output directory is as it was\n"), (
        stderr
    )
    assert snapshot(place.out) == before
    assert [p.name for p in place.outputs.iterdir()] == ["out"]


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()[0] != "Z"
    except OSError:
        return False


def _descendants_named(pid: int, name: str) -> list[int]:
    """The processes running ``name`` that ``pid`` started, directly or not (read from /proc)."""
    parents: dict[int, int] = {}
    named: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat_line.rpartition(") ")[2].split()[1])
            if f"({name})" in stat_line:
                named.append(int(entry.name))
    found = []
    for candidate in named:
        ancestor = parents.get(candidate, 0)
        while ancestor > 1 and ancestor != pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == pid:
            found.append(candidate)
    return found
