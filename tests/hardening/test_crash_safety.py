"""A render killed at any moment leaves the old output, the new one, or one a plain render
repairs into the new one; two renders at once never mix.

OUT holds the render of the old tree plus a file of the team's own (``notes.txt``). The
new tree changes env values, removes microservices and changes a secret source (so the
run decrypts and encrypts). ``render`` runs as a real process and gets SIGKILL (with its
sops children) at delays spread over an uninterrupted run, and at moments just after its
staging directory appears (the write and the swap). After each kill OUT must be exactly
the old output (byte for byte), exactly the new one (the non-Secret bytes of a reference
render, Secrets by their ``aigonix.io/sealed-from`` fingerprint, a marker that lists every
owned file with its hash), or a state that one plain ``render`` turns into exactly the new
one, never refused as "not owned" and never losing ``notes.txt``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BASE, KEYS, Run, run_line

MICROSERVICES = "applications/shop/microservices"
EXTRA = 10  # extra microservices, so the write phase has some hundred files to do
MARKER = ".aigonix-render"
NOTES = "notes.txt"
NOTES_TEXT = "the team's own notes: not written by aigonix-render\n"
FINGERPRINT = re.compile(rb"aigonix\.io/sealed-from: \"?(sha256:[0-9a-f]{64})")
TIMED_KILLS = 28
STAGING_KILLS = 28


def extra_microservice(index: int) -> str:
    return (
        "apiVersion: aigonix.io/v1\n"
        "kind: Microservice\n"
        f"name: Svc{index}\n"
        f"id: {index:07d}a-aaaa-4aaa-8aaa-aaaaaaaaaaaa\n"  # the first 7 characters name databases
        "head:\n"
        f"  image: testcustomer.azurecr.io/svc{index}:1.0.0\n"
        "  probes:\n    liveness:\n      path: /healthz\n    readiness:\n      path: /ready\n"
        "env:\n"
        f"  INDEX: '{index}'\n"
        "  MODE: old\n"
    )


def old_tree(folder: Path) -> Path:
    tree = folder / "old-tree"
    shutil.copytree(BASE, tree)
    for index in range(EXTRA):
        path = tree / MICROSERVICES / f"svc{index}" / "aigonix.yaml"
        path.parent.mkdir()
        path.write_text(extra_microservice(index))
    return tree


def new_tree(old: Path, folder: Path, variant: str = "new") -> Path:
    """Env values changed, microservices removed, the Dev secret source changed."""
    tree = folder / f"{variant}-tree"
    shutil.copytree(old, tree)
    removed = ["web", "svc0", "svc1", "svc2"] if variant != "other" else ["svc7", "svc8", "svc9"]
    for name in removed:
        shutil.rmtree(tree / MICROSERVICES / name)
    for index in range(EXTRA):
        path = tree / MICROSERVICES / f"svc{index}" / "aigonix.yaml"
        if path.exists():
            path.write_text(path.read_text().replace("MODE: old", f"MODE: {variant}"))
    secrets = tree / MICROSERVICES / "billing/environments/Dev/secrets.yaml"
    secrets.write_text(secrets.read_text() + ("\n" if variant != "other" else "\n\n"))
    return tree


# --- comparing outputs ------------------------------------------------------------------------


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def normalized(folder: Path) -> dict[str, object]:
    """Every file but the marker: Secrets by fingerprint (sops output differs each time),
    every other file by its bytes. The marker must list exactly the files with their hashes."""
    files = files_of(folder)
    marker = files.pop(MARKER).decode()
    listed = {}
    for line in marker.splitlines():
        if line and not line.startswith("#"):
            digest, path = line.split("  ", 1)
            listed[path] = digest
    owned = {p for p in files if p != NOTES}
    assert set(listed) == owned, sorted(set(listed) ^ owned)
    for path, digest in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest, f"the marker's hash of {path} is wrong"
    view: dict[str, object] = {}
    for path, content in files.items():
        found = FINGERPRINT.search(content)
        view[path] = ("Secret", found.group(1).decode()) if found and b"\nsops:\n" in content else content
    return view


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.aigonix-"))


def reset(out: Path, old: Path) -> None:
    for name in leftovers(out):
        shutil.rmtree(out.parent / name)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(old, out)


# --- running and killing ---------------------------------------------------------------------


def render_argv(tree: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "aigonix_render", "render", str(tree), "-o", str(out)]


def start(tree: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        render_argv(tree, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group: the kill takes its sops children too
    )


def kill(process: subprocess.Popen[bytes]) -> int:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    return process.returncode


def finish(process: subprocess.Popen[bytes]) -> Run:
    stdout, stderr = process.communicate(timeout=60)
    return Run(process.returncode, stdout.decode(), stderr.decode())


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    key = tmp_path_factory.mktemp("keys") / "both.agekey"
    key.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    return {**clean, "SOPS_AGE_KEY_FILE": str(key)}


def render_in_process(tree: Path, out: Path, env: dict[str, str]) -> Run:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", env["SOPS_AGE_KEY_FILE"])
        return run_line("render", tree, "-o", out)


class World:
    """The old output (with the team's notes), the new tree and a reference render of it."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.env = env
        self.old_tree = old_tree(folder)
        self.old = folder / "old-out" / "out"
        result = render_in_process(self.old_tree, self.old, env)
        assert result.exit_code == 0, result
        (self.old / NOTES).write_text(NOTES_TEXT)
        self.old_files = files_of(self.old)
        self.trees: dict[str, Path] = {}
        self.references: dict[str, dict[str, object]] = {}
        for variant in ("new", "other"):
            tree = new_tree(self.old_tree, folder, variant)
            reference = folder / f"{variant}-reference" / "out"
            result = render_in_process(tree, reference, env)
            assert result.exit_code == 0, result
            (reference / NOTES).write_text(NOTES_TEXT)
            self.trees[variant] = tree
            self.references[variant] = normalized(reference)
        assert self.references["new"] != normalized(self.old)
        self.out = folder / "work" / "out"
        self.out.parent.mkdir()
        reset(self.out, self.old)

    def state(self) -> str:
        """'old', 'new' or 'other' (a state that needs a repair)."""
        if self.out.is_dir() and files_of(self.out) == self.old_files:
            return "old"
        try:
            if normalized(self.out) == self.references["new"]:
                return "new"
        except (AssertionError, KeyError, FileNotFoundError, UnicodeDecodeError):
            pass
        return "other"

    def repair(self) -> Run:
        """One plain render, which must give exactly the new output, the notes kept."""
        result = render_in_process(self.trees["new"], self.out, self.env)
        assert result.exit_code == 0, result
        assert normalized(self.out) == self.references["new"]
        assert (self.out / NOTES).read_text() == NOTES_TEXT
        return result


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> World:
    return World(tmp_path_factory.mktemp("crash"), env)


@pytest.fixture(scope="module")
def run_seconds(world: World) -> float:
    """The median time of an uninterrupted render of the new tree over the old output."""
    times = []
    for _ in range(3):
        reset(world.out, world.old)
        began = time.monotonic()
        result = finish(start(world.trees["new"], world.out, world.env))
        times.append(time.monotonic() - began)
        assert result.exit_code == 0, result
        assert world.state() == "new"
    return statistics.median(times)


def check_after_kill(world: World, outcomes: Counter[str], label: str) -> None:
    """Classify the state a kill left; one neither old nor new must repair into the new."""
    state = world.state()
    outcomes[state] += 1
    if state == "other":
        assert (world.out / NOTES).read_text() == NOTES_TEXT, label
        world.repair()


def test_an_uninterrupted_render_gives_the_new_output(world: World, run_seconds: float) -> None:
    assert 0 < run_seconds < 30
    assert world.state() == "new"
    assert (world.out / NOTES).read_text() == NOTES_TEXT


def test_sigkill_at_spread_delays(world: World, run_seconds: float) -> None:
    outcomes: Counter[str] = Counter()
    for index in range(TIMED_KILLS):
        reset(world.out, world.old)
        delay = run_seconds * 1.1 * index / (TIMED_KILLS - 1)
        process = start(world.trees["new"], world.out, world.env)
        time.sleep(delay)
        code = kill(process)
        check_after_kill(world, outcomes, f"killed after {delay:.3f} s (exit {code})")
    assert sum(outcomes.values()) == TIMED_KILLS
    assert outcomes["old"] > 0  # early kills leave the old output
    print(f"\nspread kills over {run_seconds:.2f} s: {dict(outcomes)}")


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], limit: float) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.0002)
    return False


def staging_of(world: World) -> Path:
    return world.out.parent / f".{world.out.name}.aigonix-staging"


@pytest.fixture(scope="module")
def write_seconds(world: World, run_seconds: float) -> float:
    """How long a render runs after its staging directory appeared (the write and swap)."""
    times = []
    for _ in range(3):
        reset(world.out, world.old)
        process = start(world.trees["new"], world.out, world.env)
        assert wait_for(staging_of(world).exists, process, run_seconds * 5)
        seen = time.monotonic()
        assert finish(process).exit_code == 0
        times.append(time.monotonic() - seen)
    return statistics.median(times)


def test_sigkill_while_writing(world: World, run_seconds: float, write_seconds: float) -> None:
    """Kills aimed at the write: at offsets spread over the time from the staging
    directory's appearance to the end of the run."""
    outcomes: Counter[str] = Counter()
    caught = 0
    for index in range(STAGING_KILLS):
        reset(world.out, world.old)
        offset = write_seconds * 1.2 * index / (STAGING_KILLS - 1)
        process = start(world.trees["new"], world.out, world.env)
        if wait_for(staging_of(world).exists, process, run_seconds * 5):
            caught += 1
            time.sleep(offset)
        code = kill(process)
        check_after_kill(world, outcomes, f"killed {offset:.4f} s into the write (exit {code})")
    assert caught > STAGING_KILLS // 2, f"the staging directory was seen only {caught} times"
    print(f"\nkills over a write of {write_seconds:.3f} s: {dict(outcomes)}")


def test_the_next_render_removes_what_a_killed_one_left(world: World) -> None:
    """Even a render with nothing to do (the inputs OUT was rendered from) cleans up."""
    for _ in range(10):
        reset(world.out, world.old)
        process = start(world.trees["new"], world.out, world.env)
        wait_for(staging_of(world).exists, process, 30)
        kill(process)
        if leftovers(world.out) and world.state() == "old":
            break
    else:
        pytest.fail("no kill left a staging directory beside the old output in 10 tries")
    result = render_in_process(world.old_tree, world.out, world.env)  # the inputs OUT holds
    assert result.exit_code == 0, result
    assert files_of(world.out) == world.old_files
    assert leftovers(world.out) == []


# --- two renders at once ----------------------------------------------------------------------

RACES = 8
BUSY = re.compile(
    r"aigonix-render: error: another aigonix-render is writing into (.+); try again when it has finished\n"
)


def test_two_renders_at_once_never_mix(world: World) -> None:
    observed: Counter[str] = Counter()
    for index in range(RACES):
        reset(world.out, world.old)
        first = start(world.trees["new"], world.out, world.env)
        time.sleep(0.01 * index)
        second = start(world.trees["other"], world.out, world.env)
        runs = {"new": finish(first), "other": finish(second)}
        codes = sorted(r.exit_code for r in runs.values())
        assert codes in ([0, 0], [0, 3]), runs
        for run in runs.values():
            if run.exit_code == 3:
                match = BUSY.fullmatch(run.stderr)
                assert match is not None, run
                assert Path(match.group(1)) == world.out.parent
        winners = [variant for variant, run in runs.items() if run.exit_code == 0]
        final = normalized(world.out)
        assert any(final == world.references[v] for v in winners), f"a mix after {runs}"
        assert (world.out / NOTES).read_text() == NOTES_TEXT
        assert leftovers(world.out) == []
        observed["one refused" if codes == [0, 3] else "both succeeded"] += 1
    print(f"\ntwo renders at once: {dict(observed)}")
    assert observed["one refused"] > 0, "the two renders never overlapped"
