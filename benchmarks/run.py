"""Benchmark aigonix-render against Helm, check-jsonschema and itself.

    python benchmarks/run.py [--n 1000] [--repeat 5] [--seal-n 200] [--work DIR]

Generates the trees (benchmarks/generate_tree.py, reused when already there), derives the
Helm values (benchmarks/helm_values.py) and checks that the chart renders the same objects,
then runs every case ``--repeat`` times, alternating the two contenders, and prints one
table of medians and ratios. Writes benchmarks/RESULTS.md (table, machine, notes, profile)
unless ``--no-write``. Everything generated goes to ``--work`` (default
/tmp/aigonix-render-bench), never into the repository.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate_tree  # noqa: E402
import helm_values  # noqa: E402
from helm_tool import helm_binary  # noqa: E402

BIN = Path(sys.executable).parent
SCHEMAS = REPO / "schemas"
SAMPLE = REPO / "sample-repo"
KEY = HERE / "bench.agekey"
RESULTS = HERE / "RESULTS.md"
MIB = 1024  # ru_maxrss is in KiB on Linux
SHM = Path("/dev/shm")


# --- running and timing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    max_rss_kib: int


@dataclass
class Command:
    """One contender: one or more processes run one after the other, timed together."""

    label: str
    steps: list[list[str]]
    env: dict[str, str] | None = None
    stdout: Path | None = None
    prepare: Callable[[], None] | None = None
    samples: list[Sample] = field(default_factory=list)

    def run(self, logs: Path) -> Sample:
        if self.prepare:
            self.prepare()
        total = Sample(0.0, 0.0, 0)
        for argv in self.steps:
            one = run_process(argv, self.env, self.stdout or logs / "stdout.log", logs / "stderr.log")
            total = Sample(
                total.wall + one.wall, total.cpu + one.cpu, max(total.max_rss_kib, one.max_rss_kib)
            )
        return total


# Started by ``python -S`` (a few MiB), it spawns the measured command and writes the command's
# own wall time, CPU time (its waited-for children included) and peak RSS to argv[1]. Linux
# counts the RSS of the process that forked a command into the command's ru_maxrss, so the
# command must not be forked by this harness, which may be large after the Helm check.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss], out)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(argv: Sequence[str], env: dict[str, str] | None, stdout: Path, stderr: Path) -> Sample:
    """Run one process through the launcher: its wall time, CPU time and peak RSS."""
    measured = stderr.with_name("measured.json")
    launcher = [sys.executable, "-S", "-c", LAUNCHER, str(measured), *argv]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        code = subprocess.run(launcher, stdout=out, stderr=err, env=env, check=False).returncode
    if code != 0:
        detail = stderr.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(argv)} exited {code}:\n{detail}")
    wall, cpu, rss = json.loads(measured.read_text())
    return Sample(wall, cpu, rss)


@dataclass(frozen=True)
class Target:
    """``ratio`` is subject / other; ``maximum`` bounds it (or the subject's MiB for memory);
    ``seconds``, when set, bounds the subject's median too."""

    text: str
    maximum: float
    memory: bool = False
    seconds: float | None = None


@dataclass
class Case:
    """``scale`` multiplies the other's time before the ratio: the other ran a smaller tree,
    extrapolated (per Secret, for the sealing case) to the subject's."""

    name: str
    subject: Command
    other: Command
    target: Target
    repeat: int
    warmup: bool = True
    key: str = ""
    scale: float = 1.0


def run_case(case: Case, logs: Path) -> None:
    """Alternate the contenders (ABAB... with the order flipped every run) after a warm-up.

    A contender an earlier case measured already (the same command) is not run again."""
    print(f"== {case.name}", flush=True)
    fresh = [c for c in (case.subject, case.other) if not c.samples]
    if case.warmup:
        for command in fresh:
            command.run(logs)
    for index in range(case.repeat):
        order = fresh if index % 2 == 0 else fresh[::-1]
        for command in order:
            sample = command.run(logs)
            command.samples.append(sample)
            print(f"   {command.label}: {sample.wall:.2f} s", flush=True)


def median(command: Command, attribute: str = "wall") -> float:
    return statistics.median(getattr(s, attribute) for s in command.samples)


def peak_mib(command: Command) -> float:
    return max(s.max_rss_kib for s in command.samples) / MIB


# --- file-system helpers ------------------------------------------------------------------------


def linked_copy(source: Path, out: Path) -> Callable[[], None]:
    """A prepare step: OUT becomes a copy of ``source`` made of hard links (the render swaps
    in a new folder, so ``source`` keeps its files)."""

    def copy() -> None:
        clear_output(out)()
        shutil.copytree(source, out, symlinks=True, copy_function=os.link)

    return copy


CHANGED_FILE = "applications/app-000/microservices/svc-0000/aigonix.yaml"


def changed_tree(source: Path, copy: Path) -> Callable[[], None]:
    """A prepare step: ``copy`` is ``source`` (hard links) with one env var of one microservice
    changed, as after a commit that changes one line (its file is a new one: ``source`` keeps
    its bytes)."""

    def change() -> None:
        linked_copy(source, copy)()
        edited = copy / CHANGED_FILE
        text = (source / CHANGED_FILE).read_text(encoding="utf-8")
        assert "  LOG_LEVEL: info\n" in text, f"{source / CHANGED_FILE} has no LOG_LEVEL to change"
        edited.unlink()
        edited.write_text(text.replace("  LOG_LEVEL: info\n", "  LOG_LEVEL: debug\n", 1), encoding="utf-8")

    return change


def both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        first()
        second()

    return run


def clear_output(out: Path) -> Callable[[], None]:
    """A prepare step: remove OUT and any staging or retired sibling aigonix-render left."""

    def clear() -> None:
        shutil.rmtree(out, ignore_errors=True)
        for sibling in out.parent.glob(f".{out.name}.aigonix-*"):
            shutil.rmtree(sibling, ignore_errors=True)

    return clear


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file under ``folder`` with its inode, mtime and size."""
    found: Snapshot = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = Path(base) / name
            info = path.stat()
            found[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_mtime_ns, info.st_size)
    return found


def written(before: Snapshot, after: Snapshot) -> tuple[list[str], int, int]:
    """(files new or rewritten, number of files removed, number of files untouched)."""
    changed = sorted(path for path, state in after.items() if before.get(path) != state)
    removed = sum(1 for path in before if path not in after)
    return changed, removed, len(after) - len(changed)


# --- counting sops ------------------------------------------------------------------------------


def real_sops() -> str:
    beside = BIN / "sops"
    found = str(beside) if beside.is_file() else shutil.which("sops")
    if found is None:
        raise SystemExit("sops was not found beside this Python or on PATH")
    return found


def pin_package(work: Path, revision: str | None = None) -> Path:
    """A copy of the package as it is now, laid out as installed (schemas and templates inside),
    or as it was at git ``revision`` (to measure the code before a change with the same harness).

    Others may edit or commit the package while a run takes its half hour: every contender
    runs this snapshot, so all rows measure the same code.
    """
    pinned = work / "pinned"
    shutil.rmtree(pinned, ignore_errors=True)
    source = REPO
    if revision is not None:
        source = work / "revision"
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, "aigonix_render", "schemas", "templates"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source / "aigonix_render", pinned / "aigonix_render", ignore=ignore)
    shutil.copytree(source / "schemas", pinned / "aigonix_render" / "schemas", ignore=ignore)
    shutil.copytree(source / "templates", pinned / "aigonix_render" / "templates", ignore=ignore)
    compile_package(pinned)
    return pinned


def compile_package(pinned: Path) -> None:
    """Byte-compile the snapshot, as ``pip install`` (and the plugin image) does, so that no
    contender compiles the package from source on every run (``PYTHONDONTWRITEBYTECODE``
    would keep a run from saving what it compiled)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(pinned)], check=True)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def make_venv(path: Path, pinned: Path | None, shim: bool) -> Path:
    """A venv that runs aigonix-render with this venv's packages; returns its python.

    With ``pinned``, the snapshot comes first on sys.path and this venv's site-packages is
    added as a plain path, so the editable install's finder (a .pth hook) is not loaded and
    cannot shadow the snapshot; without, this venv's site-packages is added as a site dir.

    ``bin/sops`` is the real sops (a symlink) or, with ``shim``, a script that logs each call
    first: aigonix_render.seal.sops.find_sops takes the sops beside sys.executable before PATH, so
    a shim first on PATH alone would never be called.
    """
    python = path / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(path), "platbase": str(path)})["purelib"])
    ours = sysconfig.get_paths()["purelib"]
    lines = f"{pinned}\n{ours}\n" if pinned else f"import site; site.addsitedir({ours!r})\n"
    (purelib / "_aigonix_bench.pth").write_text(lines)
    sops = path / "bin" / "sops"
    sops.unlink(missing_ok=True)
    if shim:
        sops.write_text(
            "#!/bin/sh\n"  # log the subcommand (the first argument that is no option), then run sops
            'for a in "$@"; do case "$a" in -*|*/*) ;; *) '
            'printf "%s\\n" "$a" >> "${AIGONIX_BENCH_SOPS_LOG:-/dev/null}"; break;; esac; done\n'
            f'exec "{real_sops()}" "$@"\n'
        )
        sops.chmod(0o755)
    else:
        sops.symlink_to(real_sops())
    return python


@dataclass(frozen=True)
class Instrumented:
    sops_calls: dict[str, int]
    changed: list[str]
    removed: int
    untouched: int
    wall: float


def instrumented_render(
    python: Path, work: Path, tree: Path, out: Path, env: dict[str, str], *extra: str
) -> Instrumented:
    """One render through the shim venv: sops calls by subcommand, files written in OUT."""
    log = work / "sops-calls.log"
    log.unlink(missing_ok=True)
    shim_env = {**env, "AIGONIX_BENCH_SOPS_LOG": str(log), "PATH": f"{python.parent}:{env.get('PATH', '')}"}
    before = snapshot(out) if out.exists() else {}
    argv = [str(python), "-m", "aigonix_render", "render", str(tree), "-o", str(out), *extra]
    sample = run_process(argv, shim_env, work / "stdout.log", work / "stderr.log")
    calls: dict[str, int] = {}
    for line in log.read_text().splitlines() if log.exists() else []:
        calls[line] = calls.get(line, 0) + 1
    changed, removed, untouched = written(before, snapshot(out))
    return Instrumented(calls, changed, removed, untouched, sample.wall)


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    work: Path
    logs: Path
    n: int
    repeat: int
    seal_n: int
    seal_repeat: int
    big_n: int
    helm: Path
    env: dict[str, str]
    python: Path
    shim_python: Path
    out: Path

    @property
    def small_n(self) -> int:
        """The smaller tree of the ``generate`` case."""
        return max(self.n // 10, GENERATE_APP_INDEX * generate_tree.PER_APPLICATION + 30)

    def tree(self, n: int, secrets: bool, probes: bool = True) -> Path:
        name = f"tree-{n}" + ("" if secrets else "-nosecrets") + ("" if probes else "-noprobes")
        return self.work / name


def aigonix(setup: Setup, *args: str) -> list[str]:
    """The command line of aigonix-render, run by the bench venv's python (the snapshot)."""
    return [str(setup.python), "-m", "aigonix_render", *args]


def render(
    setup: Setup, label: str, tree: Path, out: Path, cold: bool, *extra: str, key: bool = False
) -> Command:
    env = {**setup.env, "SOPS_AGE_KEY_FILE": str(KEY)} if key else setup.env
    prepare = clear_output(out) if cold else None
    return Command(label, [aigonix(setup, "render", str(tree), "-o", str(out), *extra)], env, prepare=prepare)


def schema_steps(tree: Path) -> list[list[str]]:
    """check-jsonschema over the same aigonix.yaml files, one run per schema."""
    apps = sorted(str(p) for p in tree.glob("applications/*/aigonix.yaml"))
    services = sorted(str(p) for p in tree.glob("applications/*/microservices/*/aigonix.yaml"))
    tool = str(BIN / "check-jsonschema")
    steps = [[tool, "--schemafile", str(SCHEMAS / "customer.schema.json"), str(tree / "aigonix.yaml")]]
    if apps:
        steps.append([tool, "--schemafile", str(SCHEMAS / "application.schema.json"), *apps])
    if services:
        steps.append([tool, "--schemafile", str(SCHEMAS / "microservice.schema.json"), *services])
    return steps


def secrets_of(n: int) -> int:
    """The Secrets of a tree of N: one per microservice environment, one acr per application."""
    return 3 * n + -(-n // generate_tree.PER_APPLICATION)


def sealed(n: int) -> str:
    return f"{secrets_of(n):,}"


GENERATE_APP_INDEX = 5
"""``generate``'s target: a consumer of application 3 and a producer for 7 (generate_tree)."""
GENERATE_ENV = "Dev"
BASELINE_IMPORTS = "import click, yaml, jinja2"
"""What ``generate`` cannot start without: the ``generate-startup`` case's reference."""


def generate_command(setup: Setup, n: int) -> Command:
    """``generate`` of the target, Secrets decrypted in-process with the benchmark key."""
    app = generate_tree.app_name(GENERATE_APP_INDEX)
    argv = aigonix(setup, "generate", str(setup.tree(n, True)), "--app", app, "--env", GENERATE_ENV)
    env = {**setup.env, "SOPS_AGE_KEY_FILE": str(KEY)}
    return Command(f"aigonix-render generate N={n}", [argv], env, stdout=setup.out / f"generate-{n}.yaml")


def cases(setup: Setup) -> dict[str, Case]:
    n, work = setup.n, setup.work
    plain, full = setup.tree(n, False), setup.tree(n, True)
    changed = setup.work / f"tree-{n}-changed"
    values = work / f"values-{n}.yaml"
    helm = [str(setup.helm), "template", "bench", str(helm_values.CHART), "--values", str(values)]
    cold = render(setup, f"aigonix-render cold N={n}", plain, setup.out / "out-cold", cold=True)
    cold_ref = render(setup, f"aigonix-render cold N={n}", plain, setup.out / "out-cold-ref", cold=True)
    helm_cmd = Command("helm template", [helm], setup.env, stdout=setup.out / f"helm-{n}.yaml")
    seal_n, seal_tree = setup.seal_n, setup.tree(setup.seal_n, True)
    binary = render(
        setup, f"render --sops-binary N={seal_n}", seal_tree, setup.out / "out-seal-binary", True,
        "--sops-binary", key=True,
    )  # fmt: skip
    binary_one = render(
        setup, f"render --sops-binary --jobs 1 N={seal_n}", seal_tree, setup.out / "out-seal-binary-1", True,
        "--sops-binary", "--jobs", "1", key=True,
    )  # fmt: skip
    in_process = render(setup, f"render N={n}, in-process SOPS", full, setup.out / "out-seal", True, key=True)
    big = render(
        setup,
        f"aigonix-render cold N={setup.big_n}",
        setup.tree(setup.big_n, False),
        setup.out / "out-big",
        True,
    )
    # validate keeps per-application verdicts in the user's cache folder: timed without any
    # cache (verdicts, compiled templates, digests: runs up to acb0fcd kept the templates),
    # the cost of a first validate (a repeated one reuses every verdict)
    validate_full = Command(
        "aigonix-render validate (clean, no verdict cache)",
        [aigonix(setup, "validate", str(full))],
        {**setup.env, "AIGONIX_RENDER_NO_CACHE": "1"},
    )
    warned = setup.tree(n, True, probes=False)
    validate_warned = Command(
        "aigonix-render validate (no probes)", [aigonix(setup, "validate", str(warned))], setup.env
    )
    sample_validate = Command("aigonix-render validate", [aigonix(setup, "validate", str(SAMPLE))], setup.env)
    generate_n, generate_small = generate_command(setup, n), generate_command(setup, setup.small_n)
    app = generate_tree.app_name(GENERATE_APP_INDEX)
    r, seal_r = setup.repeat, setup.seal_repeat
    return {
        "cold": Case(
            f"cold render, N={n}, no Secrets, vs `helm template` of the same objects",
            cold,
            helm_cmd,
            Target("≤ 0.35", 0.35),
            r,
        ),
        "noop": Case(
            f"no-op re-render (output up to date), N={n}, no Secrets, vs cold render",
            render(setup, "aigonix-render no-op", plain, setup.out / "out-noop", cold=False),
            cold_ref,
            Target("≤ 0.1", 0.1),
            r,
        ),
        "rerender": Case(
            f"re-render after a change, N={n}, {sealed(n)} sealed Secrets in OUT, no key (one env var of one "
            "microservice changed: only the applications it reaches loaded, validated, rendered and "
            "checked, the other folders kept unread, nothing re-sealed), vs cold render",
            Command(
                "aigonix-render re-render (Secrets)",
                [aigonix(setup, "render", str(changed), "-o", str(setup.out / "out-rerender"))],
                setup.env,
                prepare=both(
                    changed_tree(full, changed),
                    linked_copy(setup.out / "out-full", setup.out / "out-rerender"),
                ),
            ),
            cold_ref,
            Target("≤ 0.2", 0.2),
            seal_r,
            warmup=False,
        ),
        "noop-secrets": Case(
            f"no-op re-render, N={n}, {sealed(n)} sealed Secrets in OUT, no key, vs cold render (no Secrets)",
            render(setup, "aigonix-render no-op (Secrets)", full, setup.out / "out-full", cold=False),
            cold_ref,
            Target("≤ 0.1", 0.1),
            r,
        ),
        "validate": Case(
            f"`validate` of the whole tree, N={n}, vs check-jsonschema on the same files",
            validate_full,
            Command("check-jsonschema", schema_steps(full), setup.env),
            Target("≤ 0.25", 0.25),
            r,
        ),
        "validate-warnings": Case(
            f"`validate`, N={n}, every microservice warned (no probes: two warnings each) vs the same tree clean",
            validate_warned,
            validate_full,
            Target("≤ 1.1", 1.1),
            r,
        ),
        "validate-sample": Case(
            "`validate` of sample-repo vs check-jsonschema on its files",
            sample_validate,
            Command("check-jsonschema", schema_steps(SAMPLE), setup.env),
            Target("≤ 0.5", 0.5),
            r,
        ),
        "generate": Case(
            f"`generate` of one application environment ({app} {GENERATE_ENV}: its event horizons "
            f"tie it to two other applications), N={n} vs N={setup.small_n}",
            generate_n,
            generate_small,
            Target("≤ 1.5", 1.5),
            r,
        ),
        "generate-cold": Case(
            f"`generate` of one application environment, N={n}, vs a cold render of the tree (no Secrets)",
            generate_n,
            cold_ref,
            Target("≤ 0.1", 0.1),
            r,
        ),
        "generate-startup": Case(
            f"`generate` of one application environment, N={n} (Secrets decrypted), vs "
            '`python -c "import click, yaml, jinja2"` in the same venv: what Argo CD pays per Application '
            "beyond starting Python with the three libraries",
            generate_n,
            Command(
                "python -c 'import click, yaml, jinja2'",
                [[str(setup.python), "-c", BASELINE_IMPORTS]],
                setup.env,
            ),
            Target("≤ 1.5", 1.5),
            r,
        ),
        "seal": Case(
            f"first render sealing all {sealed(n)} Secrets, N={n}, in-process SOPS, vs one sops process "
            f"per Secret (`--sops-binary` at N={seal_n}, {sealed(seal_n)} Secrets, extrapolated per Secret)",
            in_process,
            binary,
            Target("≤ 15 s and ≤ 0.1 (≥ 10x faster)", 0.1, seconds=15.0),
            seal_r,
            warmup=False,
            scale=secrets_of(n) / secrets_of(seal_n),
        ),
        "seal-jobs": Case(
            f"first render with `--sops-binary` sealing all {sealed(seal_n)} Secrets, N={seal_n}: "
            f"default parallelism ({os.cpu_count()} jobs) vs `--jobs 1`",
            binary,
            binary_one,
            Target("≤ 0.588 (≥ 1.7x faster)", 1 / 1.7),
            seal_r,
            warmup=False,
        ),
        "scale": Case(
            f"cold render N={setup.big_n} vs N={n} (no Secrets)",
            big,
            render(setup, f"aigonix-render cold N={n}", plain, setup.out / "out-cold-small", cold=True),
            Target("≤ 2.1", 2.1),
            r,
        ),
    }


# --- setting up -------------------------------------------------------------------------------------


def prepare_trees(setup: Setup, wanted: set[str]) -> None:
    """Every tree the wanted cases need; the main tree with Secrets first, as the others copy
    its encrypted files instead of running sops for each again."""
    trees = [(setup.n, True, True), (setup.n, False, True)]
    if "validate-warnings" in wanted:
        trees.append((setup.n, True, False))
    if wanted & {"generate", "generate-cold"}:  # generate-startup needs only the main tree
        trees.append((setup.small_n, True, True))
    if wanted & {"scale", "memory"}:
        trees.append((setup.big_n, False, True))
    if wanted & {"seal", "seal-jobs"}:
        trees.append((setup.seal_n, True, True))
    main = setup.tree(setup.n, True)
    for n, secrets, probes in dict.fromkeys(trees):
        path = setup.tree(n, secrets, probes)
        source = main if secrets and path != main else None
        start = time.perf_counter()
        fresh = generate_tree.generate(
            generate_tree.Options(n, path, secrets, probes=probes, secrets_from=source)
        )
        state = f"generated in {time.perf_counter() - start:.0f} s" if fresh else "reused"
        print(f"tree {path}: {state}", flush=True)


def fairness_check(setup: Setup, drift: bool) -> str:
    """Render the no-Secrets tree both ways and compare every covered object; a difference
    stops the run, unless ``drift``: then it is described (the chart lags the templates)."""
    plain = setup.tree(setup.n, False)
    values = setup.work / f"values-{setup.n}.yaml"
    helm_values.write_values(plain, values)
    out = setup.out / "out-check"
    clear_output(out)()
    run_process(
        aigonix(setup, "render", str(plain), "-o", str(out)), setup.env, setup.logs / "o", setup.logs / "e"
    )
    stream = setup.out / "helm-check.yaml"
    helm_values.helm_template(str(setup.helm), values, stream)
    ours, theirs = helm_values.rendered_objects(out), helm_values.helm_objects(stream)
    problems = helm_values.compare(ours, theirs)
    if problems and not drift:
        raise SystemExit("the Helm chart does not render the same objects:\n  " + "\n  ".join(problems))
    kinds = sorted({k[0] for k in ours})
    counts = ", ".join(f"{sum(1 for k in ours if k[0] == kind)} {kind}" for kind in kinds)
    if problems:
        differ = sum(1 for k in set(ours) & set(theirs) if ours[k] != theirs[k])
        return (
            f"NOT equal (`--helm-drift`): aigonix-render rendered {len(ours)} objects ({counts}), helm "
            f"{len(theirs)}; {len(set(ours) - set(theirs))} missing in helm, {len(set(theirs) - set(ours))} "
            f"only in helm, {differ} of the common ones differ; first: {problems[0][:200]}"
        )
    return f"equal: the same {len(ours)} objects ({counts}), each equal once parsed"


def up_to_date(setup: Setup, tree: Path, out: Path, key: bool) -> None:
    """Render ``tree`` into ``out`` with the code under test (the key at hand for Secrets).

    Cheap when OUT is up to date already; it also brings OUT's marker to this code's
    version, so the no-op runs that follow really have nothing to do.
    """
    env = {**setup.env, "SOPS_AGE_KEY_FILE": str(KEY)} if key else setup.env
    print(f"rendering {tree} into {out} (for the no-op cases)", flush=True)
    run_process(aigonix(setup, "render", str(tree), "-o", str(out)), env, setup.logs / "o", setup.logs / "e")


# --- reporting -------------------------------------------------------------------------------------


def row(case: Case) -> list[str]:
    if case.target.memory:
        ours, theirs = peak_mib(case.subject), peak_mib(case.other)
        met = ours <= case.target.maximum
        return [
            case.name,
            f"{ours:.0f} MiB",
            f"{theirs:.0f} MiB",
            f"{ours / theirs:.2f}",
            case.target.text,
            _yes(met),
        ]
    ours, theirs = median(case.subject), median(case.other)
    ratio = ours / (theirs * case.scale)
    met = ratio <= case.target.maximum and (case.target.seconds is None or ours <= case.target.seconds)
    runs = f" ({len(case.subject.samples)} and {len(case.other.samples)} runs)"
    other = f"{theirs:.2f} s" + (
        f" (times {case.scale:.2f}: {theirs * case.scale:.1f} s)" if case.scale != 1 else ""
    )
    return [case.name + runs, f"{ours:.2f} s", other, f"{ratio:.3f}", case.target.text, _yes(met)]


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def details(done: list[Case]) -> str:
    """Wall, CPU and peak RSS of every contender."""
    rows = []
    for case in done:
        for command in (case.subject, case.other):
            rows.append(
                [
                    f"{case.key}: {command.label}",
                    f"{median(command):.2f} s",
                    f"{min(s.wall for s in command.samples):.2f} s",
                    f"{max(s.wall for s in command.samples):.2f} s",
                    f"{median(command, 'cpu'):.2f} s",
                    f"{peak_mib(command):.0f} MiB",
                ]
            )
    header = ["case: contender", "wall median", "min", "max", "CPU median", "peak RSS"]
    return table(rows, header)


def describe_code(pinned: Path | None, revision: str | None = None) -> str:
    """Which aigonix-render ran: the commit, uncommitted edits, the snapshot's digest."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()

    if revision is not None:
        commit = git("rev-parse", "--short", revision) or revision
        return f"aigonix-render at commit {commit} (`--revision {revision}`); ran a snapshot (sha256 {tree_digest(pinned or REPO)})"
    edited = git("status", "--porcelain", "--", "aigonix_render", "schemas", "templates").splitlines()
    state = f"{len(edited)} files of the package edited but not committed" if edited else "clean"
    where = f"a snapshot (sha256 {tree_digest(pinned)}) taken at the start" if pinned else "the live install"
    return f"aigonix-render at commit {git('rev-parse', '--short', 'HEAD') or '?'} ({state}); ran {where}"


def machine(code: str) -> list[str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    helm = subprocess.run(
        [str(helm_binary()), "version", "--short"], capture_output=True, text=True, check=False
    ).stdout.strip()
    sops = subprocess.run([real_sops(), "--version"], capture_output=True, text=True, check=False).stdout
    return [
        f"- CPU: {model}, {os.cpu_count()} cores",
        f"- Python {platform.python_version()} ({platform.platform()})",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- {code}",
        f"- helm {helm}, {sops.splitlines()[0] if sops else 'sops ?'}, "
        f"check-jsonschema {importlib.metadata.version('check-jsonschema')}",
    ]


# --- profiling ---------------------------------------------------------------------------------------


def profile(setup: Setup, name: str, argv: list[str], prepare: Callable[[], None] | None = None) -> Path:
    if prepare:
        prepare()
    output = setup.work / f"profile-{name}.prof"
    command = [str(setup.python), "-m", "cProfile", "-o", str(output), "-m", "aigonix_render", *argv]
    run_process(command, setup.env, setup.logs / "o", setup.logs / "e")
    return output


def _where(filename: str) -> str:
    """A short file name: the package's own relative to the repository (or snapshot)."""
    if "/pinned/aigonix_render/" in filename:
        return filename.split("/pinned/", 1)[1]
    for prefix in (str(REPO) + "/", sysconfig.get_paths()["purelib"] + "/"):
        if filename.startswith(prefix):
            return filename[len(prefix) :]
    stdlib = sysconfig.get_paths()["stdlib"] + "/"
    return "stdlib/" + filename[len(stdlib) :] if filename.startswith(stdlib) else filename


def _wrapper(filename: str, function: str) -> bool:
    """Frames that only lead to the work: the interpreter's and click's entry and dispatch."""
    entry = filename.endswith(("runpy.py", "<frozen runpy>", "cProfile.py", "/click/core.py"))
    cli = filename.endswith("aigonix_render/cli.py") and function in ("main", "_guard", "<lambda>")
    return entry or cli or function in ("<built-in method builtins.exec>", "<module>")


def hot_spots(path: Path, count: int = 15) -> tuple[str, str]:
    """The top functions by cumulative and by own time, as two Markdown tables."""
    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(cum for (_, _, _, cum, _) in entries.values())
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in entries.items():
        if _wrapper(filename, function):
            continue
        rows.append(
            (cumulative, own, calls, function, f"{_where(filename)}:{line}" if line else _where(filename))
        )
    header = ["function", "file", "calls", "own s", "cumulative s"]

    def render_rows(ordered: list[tuple[float, float, int, str, str]]) -> str:
        cells = [
            [f"`{f}`", f"`{w}`", str(c), f"{o:.2f}", f"{cum:.2f}"] for cum, o, c, f, w in ordered[:count]
        ]
        return table(cells, header)

    by_cumulative = render_rows(sorted(rows, key=lambda r: -r[0]))
    by_own = render_rows(sorted(rows, key=lambda r: -r[1]))
    note = "the entry and click's dispatch frames left out"
    return f"total {total:.2f} s under cProfile ({note})\n\n{by_cumulative}", by_own


# --- main ---------------------------------------------------------------------------------------------

ALL = (
    "cold",
    "noop",
    "noop-secrets",
    "rerender",
    "validate",
    "validate-warnings",
    "validate-sample",
    "generate",
    "generate-cold",
    "generate-startup",
    "seal",
    "seal-jobs",
    "scale",
    "memory",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="microservices in the main tree (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per contender (default 5)")
    parser.add_argument(
        "--seal-n", type=int, default=200, help="microservices in the sealing case (default 200)"
    )
    parser.add_argument(
        "--seal-repeat", type=int, default=3, help="runs of the slow sealing case (default 3)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/aigonix-render-bench"), help="scratch folder")
    parser.add_argument("--cases", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    parser.add_argument("--no-pin", action="store_true", help="run the live package, not a snapshot")
    parser.add_argument(
        "--revision", default=None, help="run the package as it was at this git revision (a snapshot of it)"
    )
    parser.add_argument(
        "--helm-drift",
        action="store_true",
        help="go on when the chart does not render the same objects (the differences go in the notes)",
    )
    parser.add_argument(
        "--out-root",
        type=Path,
        default=None,
        help=f"where the outputs go (default: {SHM}/<WORK's name>-out when {SHM} exists, else WORK)",
    )
    args = parser.parse_args(argv)
    args.wanted = set(args.cases.split(","))
    if unknown := args.wanted - set(ALL):
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    args.work = args.work.resolve()
    shm = SHM / f"{args.work.name}-out"
    args.out_root = (args.out_root or (shm if SHM.is_dir() else args.work)).resolve()
    if args.work.is_relative_to(REPO) or args.out_root.is_relative_to(REPO):
        parser.error("--work and --out-root must be outside the repository")
    args.out_root.mkdir(parents=True, exist_ok=True)
    return args


def make_setup(args: argparse.Namespace, pinned: Path | None) -> Setup:
    work = args.work
    env = {k: v for k, v in os.environ.items() if k not in ("SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY")}
    return Setup(
        work,
        work / "logs",
        args.n,
        args.repeat,
        args.seal_n,
        min(args.repeat, args.seal_repeat),
        2 * args.n,
        helm_binary(),
        env,
        make_venv(work / "bench-venv", pinned, shim=False),
        make_venv(work / "sops-shim-venv", pinned, shim=True),
        args.out_root,
    )


def run_cases(setup: Setup, wanted: set[str]) -> tuple[list[Case], list[list[str]]]:
    """Run the wanted cases in order; their rows, the memory row (from the scale case) last."""
    all_cases = cases(setup)
    done: list[Case] = []
    if "memory" in wanted:
        wanted = wanted | {"scale"}
    for key in ALL:
        if key in wanted and key in all_cases:
            all_cases[key].key = key
            run_case(all_cases[key], setup.logs)
            done.append(all_cases[key])
    rows = [row(case) for case in done]
    if "memory" in wanted:
        scale = all_cases["scale"]
        name = f"peak RSS of a cold render, N={setup.big_n}, no Secrets (vs N={setup.n})"
        rows.append(row(Case(name, scale.subject, scale.other, Target("≤ 400 MiB", 400, memory=True), 0)))
    return done, rows


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    (args.work / "logs").mkdir(parents=True, exist_ok=True)
    os.chdir(args.work)  # python -m puts the current folder first on sys.path: not the repository
    pinned = None if args.no_pin and not args.revision else pin_package(args.work, args.revision)
    code, load_at_start = describe_code(pinned, args.revision), os.getloadavg()
    print(f"code: {code}", flush=True)
    setup = make_setup(args, pinned)
    started = time.perf_counter()
    prepare_trees(setup, args.wanted)
    notes = [
        f"- Outputs (aigonix-render's folders, helm's stream) went to `{setup.out}` "
        f"({filesystem(setup.out)}); inputs, values and profiles to `{setup.work}` "
        f"({filesystem(setup.work)}). See benchmarks/README.md on why not the disk.",
    ]
    if "cold" in args.wanted:
        fairness = fairness_check(setup, args.helm_drift)
        print(f"helm chart vs aigonix-render: {fairness}", flush=True)
        notes.append(f"- Helm chart check (N={setup.n}, no Secrets): {fairness}.")
    notes += instrument(setup, args.wanted)
    done, rows = run_cases(setup, args.wanted)
    header = ["case", "aigonix-render (median)", "other (median)", "ratio", "target", "met"]
    result = table(rows, header)
    print(f"\n{result}\n\n(total {time.perf_counter() - started:.0f} s)", flush=True)
    profiles = ("", "") if args.no_profile else profiles_of(setup)
    if not args.no_write:
        load = f"at the start {_load(load_at_start)}, at the end {_load(os.getloadavg())}"
        code += f"\n- load average (1, 5, 15 min) {load}"
        write_results(code, result, details(done), notes, profiles)
        print(f"wrote {RESULTS}")


def instrument(setup: Setup, wanted: set[str]) -> list[str]:
    """Count sops processes and files written by the no-op renders (and prove the shim)."""
    if not wanted & {"noop", "noop-secrets", "rerender"}:
        return []
    notes = []
    sample_out = setup.out / "out-shim-selftest"
    clear_output(sample_out)()
    demo_env = {**setup.env, "SOPS_AGE_KEY_FILE": str(SAMPLE / "demo-age-key.txt")}
    selftest = instrumented_render(
        setup.shim_python, setup.work, SAMPLE, sample_out, demo_env, "--sops-binary"
    )
    notes.append(
        f"- sops shim self-test: a cold render of sample-repo with `--sops-binary` started "
        f"{_calls(selftest.sops_calls)} through the shim (its Secrets: one decrypt per source file, "
        "one encrypt per Secret; without the option, SOPS runs in-process for age keys)."
    )
    plain, full = setup.tree(setup.n, False), setup.tree(setup.n, True)
    up_to_date(setup, plain, setup.out / "out-noop", key=False)
    up_to_date(setup, full, setup.out / "out-full", key=True)
    for label, tree, out in (("no Secrets", plain, "out-noop"), ("with Secrets, no key", full, "out-full")):
        result = instrumented_render(setup.shim_python, setup.work, tree, setup.out / out, setup.env)
        notes.append(
            f"- no-op re-render, N={setup.n} {label}: {_calls(result.sops_calls)}, "
            f"{_files(result.changed)} new or rewritten, {result.removed} removed, "
            f"{result.untouched} untouched (same inode and mtime), {result.wall:.2f} s."
        )
    print(*notes, sep="\n", flush=True)
    return notes


def filesystem(path: Path) -> str:
    """The type of the file system that holds ``path`` (from /proc/mounts), or "unknown"."""
    best, kind = "", "unknown"
    mounts = Path("/proc/mounts")
    for line in mounts.read_text().splitlines() if mounts.is_file() else []:
        fields = line.split()
        if len(fields) > 2 and path.as_posix().startswith(fields[1]) and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return kind


def _load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{a:.1f}" for a in averages)


def _files(paths: list[str]) -> str:
    shown = ", ".join(f"`{p}`" for p in paths[:5]) + (", ..." if len(paths) > 5 else "")
    return f"{len(paths)} files" + (f" ({shown})" if paths else "")


def _calls(calls: dict[str, int]) -> str:
    total = sum(calls.values())
    parts = ", ".join(f"{count} {name}" for name, count in sorted(calls.items()))
    return f"{total} sops processes" + (f" ({parts})" if parts else "")


def profiles_of(setup: Setup) -> tuple[str, str]:
    plain, full = setup.tree(setup.n, False), setup.tree(setup.n, True)
    out = setup.out / "out-profile"
    render_prof = profile(setup, "render", ["render", str(plain), "-o", str(out)], clear_output(out))
    validate_prof = profile(setup, "validate", ["validate", str(full)])
    sections = []
    for title, path in (
        (f"cold render, N={setup.n}, no Secrets", render_prof),
        (f"validate, N={setup.n} (with Secrets)", validate_prof),
    ):
        cumulative, own = hot_spots(path)
        sections.append(
            f"### {title}\n\n`{path}`; {cumulative}\n\nBy own time (excluding callees):\n\n{own}\n"
        )
    return sections[0], sections[1]


def write_results(code: str, result: str, detail: str, notes: list[str], profiles: tuple[str, str]) -> None:
    command = (
        "python benchmarks/run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python benchmarks/run.py"
    )
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` (benchmarks/README.md explains each case). "
        "Medians of the timed runs; the contenders ran alternately after one untimed warm-up each "
        "(none for the sealing case). Ratio = aigonix-render / other.",
        "",
        "## Machine",
        "",
        *machine(code),
        "",
        "## Results",
        "",
        result,
        "",
        "## Details",
        "",
        "Every contender's wall time (median, min, max over the timed runs), CPU time (user + system"
        " of the process and of the children it waited for, such as sops) and peak RSS (the largest"
        " single process of the command, from wait4; a launcher of about 9 MiB starts each command,"
        " so that is the floor).",
        "",
        detail,
        "",
        "## Notes",
        "",
        *notes,
        "",
    ]
    if any(profiles):
        parts += ["## Profile", "", *profiles]
    RESULTS.write_text("\n".join(parts).rstrip() + "\n" + kept_history(), encoding="utf-8")


HISTORY = "<!-- run.py keeps everything below this line: before-and-after tables written by hand -->"


def kept_history() -> str:
    """The hand-written part of RESULTS.md (a change's before and after), kept across runs."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    _, found, history = old.partition(HISTORY)
    return f"\n{HISTORY}{history}" if found else ""


if __name__ == "__main__":
    main()
