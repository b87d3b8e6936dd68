"""The integrations (GitHub Action, workflows, pre-commit hook) checked with the real tools.

- check-jsonschema validates the workflows and the action against the schemas it ships
  (offline: a dead proxy makes any download fail).
- zizmor audits them offline; no finding of medium or high severity is allowed.
- pre-commit installs the hook from a git copy of this working tree and runs it on a valid
  and on broken trees (one hook environment for the whole module).
- The action's shell steps run as GitHub runs them (``bash -eo pipefail``, inputs only
  through ``env:``) against a local bare remote.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, REPO, Run, run_argv

BIN = Path(sys.executable).parent
WORKFLOWS = sorted(
    p for folder in ("workflows", "examples") for p in (REPO / ".github" / folder).glob("*.y*ml")
)
ACTION = REPO / "action.yml"
HOOK_ID = "aigonix-validate"
WEB = "applications/shop/microservices/web/aigonix.yaml"
# Any attempt to download something fails fast instead of silently needing the network.
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without git variables a surrounding git hook might have set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return {**env, **GIT_IDENTITY, **(extra or {})}


def run(argv: list[str | Path], cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    return run_argv(argv, cwd, clean_env() if env is None else dict(env))


def tool(name: str) -> str:
    """A console script installed next to this Python (the venv's), else from PATH."""
    here = BIN / name
    found = str(here) if here.exists() else shutil.which(name)
    assert found is not None, f"{name} is not installed: pip install -e '.[test]'"
    return found


def git(cwd: Path, *args: str) -> str:
    result = run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd)
    assert result.exit_code == 0, f"git {' '.join(args)} failed\n{result}"
    return result.stdout


def git_repository(folder: Path, message: str = "initial") -> str:
    """Make ``folder`` a git repository with everything in it committed; return HEAD."""
    git(folder, "init", "--quiet")
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--message", message)
    return git(folder, "rev-parse", "HEAD").strip()


# --- check-jsonschema -------------------------------------------------------------------


def test_the_workflows_exist() -> None:
    names = {p.relative_to(REPO).as_posix() for p in WORKFLOWS}
    assert {
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        ".github/examples/render-and-commit.yml",
        ".github/examples/check-on-pull-request.yml",
    } <= names


def check_jsonschema(schema: str, *files: Path) -> Run:
    argv: list[str | Path] = [tool("check-jsonschema"), "--builtin-schema", schema, *files]
    return run(argv, REPO, clean_env(OFFLINE))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_workflow_matches_the_github_workflow_schema(workflow: Path) -> None:
    result = check_jsonschema("vendor.github-workflows", workflow)
    assert result.exit_code == 0, str(result)
    assert "ok -- validation done" in result.stdout


def test_action_matches_the_github_action_schema() -> None:
    result = check_jsonschema("vendor.github-actions", ACTION)
    assert result.exit_code == 0, str(result)
    assert "ok -- validation done" in result.stdout


def test_check_jsonschema_rejects_a_broken_workflow_offline(tmp_path: Path) -> None:
    """The schema check has teeth, without the network: a job with no runs-on fails."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo hi\n")
    result = check_jsonschema("vendor.github-workflows", broken)
    assert result.exit_code == 1, str(result)
    assert "runs-on" in result.stdout + result.stderr


# --- zizmor -----------------------------------------------------------------------------


def zizmor(*inputs: Path) -> list[dict[str, Any]]:
    """zizmor's findings (JSON v1) on ``inputs``, offline and without any user configuration."""
    argv: list[str | Path] = [tool("zizmor"), "--offline", "--no-config", "--format", "json", *inputs]
    result = run(argv, REPO, clean_env(OFFLINE))
    # 0: no findings; 10-14: findings (by highest severity); anything else: zizmor failed.
    assert result.exit_code == 0 or 10 <= result.exit_code <= 14, str(result)
    findings = json.loads(result.stdout)
    assert isinstance(findings, list), str(result)
    return findings


def severity(finding: Mapping[str, Any]) -> str:
    return str(finding["determinations"]["severity"]).lower()


def describe(finding: Mapping[str, Any]) -> str:
    paths = {
        str(value)
        for location in finding.get("locations", [])
        for value in location.get("symbolic", {}).get("key", {}).get("Local", {}).values()
    }
    return f"{severity(finding)} {finding['ident']}: {finding.get('desc', '')} in {sorted(paths)}"


def test_zizmor_finds_nothing_of_medium_or_high_severity() -> None:
    findings = zizmor(*WORKFLOWS, ACTION)
    serious = [describe(f) for f in findings if severity(f) in {"medium", "high"}]
    assert serious == []


def test_zizmor_output_is_understood(tmp_path: Path) -> None:
    """The JSON parsing above is not vacuous: an input expanded in a script is a high finding."""
    action = yaml.safe_load(ACTION.read_text())
    install = next(step for step in action["runs"]["steps"] if "run" in step)
    install["run"] += 'echo "${{ inputs.root }}"\n'
    injected = tmp_path / "action.yml"
    injected.write_text(yaml.safe_dump(action, sort_keys=False))
    found = {(f["ident"], severity(f)) for f in zizmor(injected)}
    assert ("template-injection", "high") in found


def test_no_expression_inside_a_script() -> None:
    """Belt and braces for zizmor: no ``${{`` in any ``run:`` of the action or the workflows."""
    for path in [ACTION, *WORKFLOWS]:
        document = yaml.safe_load(path.read_text())
        jobs = document.get("jobs", {}).values() if "jobs" in document else [document["runs"]]
        for job in jobs:
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_every_uses_is_pinned_to_a_commit() -> None:
    for path in [ACTION, *WORKFLOWS]:
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)", line)
            if match:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), line
                assert re.match(r"\s+#\s*v[\dX]", match.group(2)), f"no version comment: {line}"


# --- pre-commit -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree, committed (tracked and untracked files
    not ignored), and its HEAD: what pre-commit and the action install from."""
    target = tmp_path_factory.mktemp("checkout")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in sorted(set(filter(None, listed.split("\0")))):
        source, copy = REPO / name, target / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree, not yet in the index
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target, git_repository(target, "working tree")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit store for the module, so the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def hooked_tree(tmp_path: Path, checkout: tuple[Path, str]) -> Path:
    """A git repository with the valid base tree and a config using the hook at HEAD."""
    repository, head = checkout
    tree = tmp_path / "gitops"
    shutil.copytree(BASE, tree)
    config = {"repos": [{"repo": str(repository), "rev": head, "hooks": [{"id": HOOK_ID}]}]}
    (tree / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git_repository(tree)
    return tree


def pre_commit(tree: Path, home: Path, *args: str) -> Run:
    env = clean_env({"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"})
    argv: list[str | Path] = [sys.executable, "-m", "pre_commit", "run", HOOK_ID, "--color", "never", *args]
    return run(argv, tree, env)


def test_pre_commit_passes_a_valid_tree(hooked_tree: Path, pre_commit_home: Path) -> None:
    result = pre_commit(hooked_tree, pre_commit_home, "--all-files")
    assert result.exit_code == 0, str(result)
    assert re.search(r"aigonix-render validate\.+Passed", result.stdout), str(result)


def test_pre_commit_fails_a_broken_tree_with_the_position(hooked_tree: Path, pre_commit_home: Path) -> None:
    web = hooked_tree / WEB
    text = web.read_text()
    assert "  port: 8080\n" in text
    web.write_text(text.replace("  port: 8080\n", "  port: eighty\n"))
    result = pre_commit(hooked_tree, pre_commit_home, "--all-files")
    assert result.exit_code == 1, str(result)
    assert re.search(r"aigonix-render validate\.+Failed", result.stdout), str(result)
    assert f"{WEB}:7:9: error: must be an integer" in result.stdout.splitlines(), str(result)


def test_pre_commit_catches_a_staged_deletion(hooked_tree: Path, pre_commit_home: Path) -> None:
    """always_run: deleting a file that aigonix.yaml refers to changes no remaining file, so a
    ``files:`` pattern would skip the hook; this is the commit-time run on the staged change."""
    git(hooked_tree, "rm", "--quiet", "registry.sops.yaml")
    result = pre_commit(hooked_tree, pre_commit_home)
    assert result.exit_code == 1, str(result)
    assert "aigonix.yaml:7:16: error: no such file in the repository: registry.sops.yaml" in result.stdout, (
        str(result)
    )


# --- the action's scripts ---------------------------------------------------------------


@dataclass(frozen=True)
class ActionRun:
    returncode: int
    log: str
    outputs: dict[str, str]
    summary: str


class Runner:
    """Runs the action's ``run:`` steps the way GitHub runs ``shell: bash`` steps.

    Expressions are resolved only in ``env:`` values, ``if:`` conditions of the form
    ``inputs.mode == '...'`` and input defaults; an unknown expression fails the test. The
    ``uses:`` step (setup-python) is replaced by this Python.
    """

    def __init__(self, action_path: Path, temp: Path, server: Path) -> None:
        self.action = yaml.safe_load(ACTION.read_text())
        self.action_path = action_path
        self.temp = temp
        self.server = server

    def context(self, inputs: Mapping[str, str]) -> dict[str, str]:
        github = {"github.action_path": str(self.action_path), "github.token": "test-token"}
        values = {"steps.python.outputs.python-path": sys.executable, **github}
        for name, spec in self.action["inputs"].items():
            default = self.expand(str(spec.get("default", "")), github)
            values[f"inputs.{name}"] = inputs.get(name, default)
        return values

    @staticmethod
    def expand(text: str, context: Mapping[str, str]) -> str:
        return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], text)

    def run(self, workspace: Path, inputs: Mapping[str, str], steps: set[str] | None = None) -> ActionRun:
        unknown = set(inputs) - set(self.action["inputs"])
        assert not unknown, f"the action has no inputs {unknown}"
        context = self.context(inputs)
        output, summary = self.temp / "github-output", self.temp / "step-summary"
        output.write_text("")
        summary.write_text("")
        log: list[str] = []
        for step in self.action["runs"]["steps"]:
            if "run" not in step or (steps is not None and step.get("id") not in steps):
                continue
            condition = step.get("if")
            if condition is not None:
                match = re.fullmatch(r"inputs\.mode == '(\w+)'", condition)
                assert match, f"the runner cannot evaluate if: {condition}"
                if context["inputs.mode"] != match.group(1):
                    continue
            script = self.temp / f"step-{step.get('id', 'anonymous')}.sh"
            script.write_text(step["run"])
            env = clean_env(
                {
                    "RUNNER_TEMP": str(self.temp),
                    "GITHUB_OUTPUT": str(output),
                    "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_REF": "refs/heads/main",
                    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
                    "GITHUB_WORKFLOW": "Render manifests",
                    "GITHUB_SERVER_URL": self.server.as_uri(),
                    "GITHUB_REPOSITORY": "gitops",
                }
            )
            env.update({k: self.expand(str(v), context) for k, v in step.get("env", {}).items()})
            assert step["shell"] == "bash"
            result = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], workspace, env)
            log.append(f"### {step['name']}: exit {result.exit_code}\n{result.stdout}{result.stderr}")
            if result.exit_code != 0:
                return ActionRun(result.exit_code, "\n".join(log), self.outputs(output), summary.read_text())
        return ActionRun(0, "\n".join(log), self.outputs(output), summary.read_text())

    @staticmethod
    def outputs(path: Path) -> dict[str, str]:
        return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def installed_runner(tmp_path_factory: pytest.TempPathFactory, checkout: tuple[Path, str]) -> Runner:
    """The install step, run once (pip installs the action's own checkout)."""
    temp = tmp_path_factory.mktemp("runner-temp")
    runner = Runner(checkout[0], temp, tmp_path_factory.mktemp("server"))
    result = runner.run(temp, {"out": "rendered"}, steps={"install"})
    assert result.returncode == 0, result.log
    assert (temp / "aigonix-render-venv" / "bin" / "aigonix-render").exists(), result.log
    return runner


@pytest.fixture
def workspace(tmp_path: Path, installed_runner: Runner) -> Path:
    """A clone of a bare 'remote' holding the base tree, like actions/checkout leaves it."""
    remote = installed_runner.server / "gitops.git"
    if remote.exists():
        shutil.rmtree(remote)
    seed = tmp_path / "seed"
    shutil.copytree(BASE, seed)
    git_repository(seed)
    git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(remote))
    git(tmp_path, "clone", "--quiet", str(remote), "workspace")
    return tmp_path / "workspace"


def test_action_rejects_an_unknown_mode(installed_runner: Runner, tmp_path: Path) -> None:
    result = installed_runner.run(tmp_path, {"out": "rendered", "mode": "deploy"}, steps={"install"})
    assert result.returncode == 2, result.log
    assert "the input mode must be check or commit" in result.log


def test_action_check_mode_lists_the_stale_files(installed_runner: Runner, workspace: Path) -> None:
    out = "rendered $(touch pwned)"  # inputs reach the shell as data, never as code
    result = installed_runner.run(workspace, {"out": out, "mode": "check"}, steps={"check"})
    assert result.returncode == 1, result.log
    assert f"+ {out}/shop/_shared/kustomization.yaml" in result.log.splitlines()
    assert "::error title=aigonix-render::the rendered output is out of date" in result.log
    assert result.outputs == {"changed": "true"}
    assert f"+ {out}/shop/_shared/kustomization.yaml" in result.summary
    assert not (workspace / "pwned").exists()
    assert not (workspace / out).exists(), "check mode must write nothing"


def test_action_commit_mode_commits_and_pushes_once(
    installed_runner: Runner, workspace: Path, keyed: Path
) -> None:
    remote = installed_runner.server / "gitops.git"
    before = git(remote, "rev-parse", "main").strip()
    inputs = {"out": "rendered", "mode": "commit", "token": "s3cr3t-token"}

    first = installed_runner.run(workspace, inputs, steps={"commit"})
    assert first.returncode == 0, first.log
    assert first.outputs == {"changed": "true"}
    assert git(remote, "rev-parse", "main~1").strip() == before
    assert git(remote, "log", "-1", "--format=%an|%s", "main").strip() == (
        "github-actions[bot]|Render manifests with aigonix-render"
    )
    pushed = git(remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert "rendered/shop/_shared/kustomization.yaml" in pushed
    assert "rendered/.aigonix-render" in pushed
    assert "s3cr3t-token" not in (workspace / ".git" / "config").read_text()
    assert "s3cr3t-token" not in first.log
    assert git(workspace, "status", "--porcelain") == ""

    second = installed_runner.run(workspace, inputs, steps={"commit"})
    assert second.returncode == 0, second.log
    assert second.outputs == {"changed": "false"}
    assert "nothing to commit" in second.log
    assert git(remote, "rev-parse", "main~1").strip() == before

    check = installed_runner.run(workspace, {"out": "rendered", "mode": "check"}, steps={"check"})
    assert check.returncode == 0, check.log
    assert check.outputs == {"changed": "false"}
