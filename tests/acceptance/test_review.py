"""``diff --base REF`` (``aigonix_render.commands.review``) and the Action's ``mode: preview``.

Each test builds a git repository in a temporary folder with the base tree in a subfolder
(``gitops/``), commits a change and compares. Summaries and diffs are checked as whole
strings; a Secret shows up by name only. The working tree and the index must come out of
a review byte for byte as they went in. The preview comment is posted to a local stand-in
for GitHub's REST API, by the Action's own step script.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import BASE, REPO, public_key, run_line
from fake_github import GitHub, serving
from git_repo import git, make_hermetic

from aigonix_render.commands.pipeline import prepare
from aigonix_render.commands.review import MARKER, as_markdown, as_text, review
from aigonix_render.commands.revision import GitError
from aigonix_render.foundation.errors import InvalidInput, UsageError
from aigonix_render.seal.sops import find_sops

SERVICES = "applications/shop/microservices"
WEB = f"{SERVICES}/web/aigonix.yaml"
BILLING_DEV_SECRETS = f"{SERVICES}/billing/environments/Dev/secrets.yaml"
SECRET_VALUES = {"DB_PASSWORD": "canary-db-password-8d1e", "API_KEY": "canary-api-key-4b7c"}
TOKEN = "s3cr3t-token-value"

ENV_DIFF = """\
--- a/shop/{env}/configmap-{env}-web-env-variables.yaml
+++ b/shop/{env}/configmap-{env}-web-env-variables.yaml
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  LOG_LEVEL: info
+  LOG_LEVEL: debug
 kind: ConfigMap
 metadata:
   annotations:
"""


# --- a git repository holding the tree --------------------------------------------------


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    make_hermetic(monkeypatch)


@dataclass(frozen=True)
class Repo:
    top: Path
    root: Path

    def commit(self, message: str) -> str:
        git(self.top, "add", "--all")
        git(self.top, "commit", "--quiet", "--message", message)
        return self.head()

    def head(self, ref: str = "HEAD") -> str:
        return git(self.top, "rev-parse", ref).strip()

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository whose subfolder ``gitops/`` holds the base tree, committed once."""
    top = tmp_path / "repository"
    shutil.copytree(BASE, top / "gitops")
    (top / "README.md").write_text("the GitOps repository\n")
    git(top, "init", "--quiet")
    made = Repo(top, top / "gitops")
    made.commit("base")
    return made


def since(repo: Repo, ref: str) -> str:
    return f"{ref} ({repo.head(ref)[:12]})"


# --- what a change shows ----------------------------------------------------------------


def test_an_unchanged_tree_shows_no_change(repo: Repo) -> None:
    result = review(repo.root, "HEAD")
    assert not result.changed
    assert result.sections == ()
    assert as_text(result) == f"no change to the rendered output since {since(repo, 'HEAD')}\n"
    assert as_markdown(result) == (
        f"{MARKER}\n### aigonix-render diff\n\n"
        f"No change to the rendered output since `HEAD` (`{repo.head()[:12]}`).\n"
    )


def test_an_env_var_change_is_a_changed_configmap_per_environment(repo: Repo) -> None:
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    repo.commit("web logs more")
    result = review(repo.root, "HEAD~1")
    assert result.changed
    assert result.note is None
    assert as_text(result) == (
        f"changes to the rendered output since {since(repo, 'HEAD~1')}:\n"
        "shop/dev: 0 added, 1 changed, 0 removed\n"
        "  ~ ConfigMap dev-web-env-variables\n"
        "shop/prod: 0 added, 1 changed, 0 removed\n"
        "  ~ ConfigMap prod-web-env-variables\n"
        "\n" + ENV_DIFF.format(env="dev") + ENV_DIFF.format(env="prod")
    )


def test_an_added_microservice_is_listed_and_shown_whole(repo: Repo) -> None:
    shutil.copytree(repo.root / SERVICES / "web", repo.root / SERVICES / "shipping")
    shipping = f"{SERVICES}/shipping/aigonix.yaml"
    repo.edit(shipping, "name: Web", "name: Shipping")
    repo.edit(
        shipping, "id: 55555555-5555-4555-8555-555555555555", "id: 99999999-9999-4999-8999-999999999999"
    )
    repo.edit(shipping, "  path: /\n", "  path: /shipping\n")
    repo.commit("add shipping")
    result = review(repo.root, "HEAD~1")
    summary = (
        f"changes to the rendered output since {since(repo, 'HEAD~1')}:\n"
        "shop/_shared: 0 added, 1 changed, 0 removed\n"
        "  ~ Role developer\n"
        "shop/dev: 8 added, 0 changed, 0 removed\n"
        "  + ConfigMap dev-shipping-config-files\n"
        "  + ConfigMap dev-shipping-dolittle\n"
        "  + ConfigMap dev-shipping-env-variables\n"
        "  + Deployment dev-shipping\n"
        "  + Ingress dev-shipping-445f8ea\n"
        "  + NetworkPolicy dev-shipping-ingress\n"
        "  + Secret dev-shipping-secret-env-variables (values not shown)\n"
        "  + Service dev-shipping\n"
        "shop/prod: 9 added, 0 changed, 0 removed\n"
        "  + ConfigMap prod-shipping-config-files\n"
        "  + ConfigMap prod-shipping-dolittle\n"
        "  + ConfigMap prod-shipping-env-variables\n"
        "  + Deployment prod-shipping\n"
        "  + Ingress prod-shipping-3333333\n"
        "  + Ingress prod-shipping-4444444\n"
        "  + NetworkPolicy prod-shipping-ingress\n"
        "  + Secret prod-shipping-secret-env-variables (values not shown)\n"
        "  + Service prod-shipping\n"
    )
    paths = [
        f"shop/{env}/{name}.yaml"
        for env, tenants in (("dev", ["445f8ea"]), ("prod", ["3333333", "4444444"]))
        for name in [
            f"configmap-{env}-shipping-config-files",
            f"configmap-{env}-shipping-dolittle",
            f"configmap-{env}-shipping-env-variables",
            f"deployment-{env}-shipping",
            *(f"ingress-{env}-shipping-{tenant}" for tenant in tenants),
            f"networkpolicy-{env}-shipping-ingress",
            f"service-{env}-shipping",
        ]
    ]
    added = "".join(added_diff(repo.root, path) for path in paths)
    text = as_text(result)
    assert text.startswith(summary + "\n--- a/shop/_shared/role-developer.yaml\n")
    assert text.endswith(added)
    role = text.removeprefix(summary + "\n").removesuffix(added)
    new_rules = [line for line in role.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert {line.strip("+ -") for line in new_rules if "shipping" in line} == {
        f"{env}-shipping-{suffix}"
        for env in ("dev", "prod")
        for suffix in ("env-variables", "config-files", "secret-env-variables")
    }


def added_diff(root: Path, path: str) -> str:
    """The diff of a file that is new: every line of its rendered text, with ``+``."""
    text = next(
        f.text for f in prepare(root, root.parent / "unused-out", False).rendering.files if f.path == path
    )
    lines = text.splitlines(keepends=True)
    return f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(
        f"+{line}" for line in lines
    )


def encrypt_secrets(path: Path, values: Mapping[str, str]) -> None:
    """Encrypt ``values`` with the real sops for the test keys; plaintext only through a pipe."""
    recipients = f"{public_key('dev')},{public_key('prod')}"
    argv = [find_sops(), "encrypt", "--input-type", "yaml", "--output-type", "yaml", "--age", recipients]
    plaintext = "".join(f"{name}: {value}\n" for name, value in values.items())
    argv.append("/dev/stdin")
    result = subprocess.run(
        argv, input=plaintext, capture_output=True, text=True, cwd=path.parent, check=False
    )
    assert result.returncode == 0, result.stderr
    path.write_text(result.stdout)


def test_a_changed_secret_source_is_named_never_shown(repo: Repo) -> None:
    encrypt_secrets(repo.root / BILLING_DEV_SECRETS, SECRET_VALUES)
    repo.commit("rotate the billing secrets of Dev")
    result = review(repo.root, "HEAD~1")
    assert as_text(result) == (
        f"changes to the rendered output since {since(repo, 'HEAD~1')}:\n"
        "shop/dev: 0 added, 1 changed, 0 removed\n"
        "  ~ Secret dev-billing-secret-env-variables (values not shown)\n"
    )
    assert as_markdown(result) == (
        f"{MARKER}\n### aigonix-render diff\n\n"
        f"Changes to the rendered output since `HEAD~1` (`{repo.head('HEAD~1')[:12]}`):\n\n"
        "<details><summary>shop/dev: 0 added, 1 changed, 0 removed</summary>\n\n"
        "- `~` Secret `dev-billing-secret-env-variables` (values not shown)\n\n"
        "</details>\n"
    )
    shown = as_text(result) + as_markdown(result) + repr(result)
    for leak in (*SECRET_VALUES.values(), "ENC[", "sops"):
        assert leak not in shown


def test_a_secret_reencrypted_alike_elsewhere_is_no_change(repo: Repo) -> None:
    """Fingerprints, not ciphertexts: the same source bytes at REF and now are no change,
    though every encryption of the rendered Secret would differ (nonces)."""
    encrypt_secrets(repo.root / BILLING_DEV_SECRETS, SECRET_VALUES)
    repo.commit("rotate")
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    repo.commit("web logs more")
    result = review(repo.root, "HEAD~1")
    assert [change.line for section in result.sections for change in section.changes] == [
        "~ ConfigMap dev-web-env-variables",
        "~ ConfigMap prod-web-env-variables",
    ]


def test_the_working_tree_and_the_index_are_untouched(repo: Repo) -> None:
    """What is compared is the tree as it is now, staged or not; git's state stays as it was."""
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")  # not staged
    repo.edit(f"{SERVICES}/billing/aigonix.yaml", "CURRENCY: EUR", "CURRENCY: SEK")
    git(repo.top, "add", f"gitops/{SERVICES}/billing/aigonix.yaml")  # staged
    (repo.root / "notes.txt").write_text("untracked\n")
    index = repo.top / ".git" / "index"
    status, staged = git(repo.top, "status", "--porcelain"), git(repo.top, "diff", "--cached")
    index_bytes, index_mtime = index.read_bytes(), index.stat().st_mtime_ns
    files = {p: p.read_bytes() for p in repo.top.rglob("*") if p.is_file() and ".git" not in p.parts}

    result = review(repo.root, "HEAD")

    assert (index.read_bytes(), index.stat().st_mtime_ns) == (index_bytes, index_mtime)
    assert {p: p.read_bytes() for p in repo.top.rglob("*") if p.is_file() and ".git" not in p.parts} == files
    assert git(repo.top, "status", "--porcelain") == status
    assert git(repo.top, "diff", "--cached") == staged
    assert [change.line for section in result.sections for change in section.changes] == [
        "~ ConfigMap dev-billing-env-variables",
        "~ ConfigMap dev-web-env-variables",
        "~ ConfigMap prod-billing-env-variables",
        "~ ConfigMap prod-web-env-variables",
    ]


def test_a_tree_at_the_top_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "top"
    shutil.copytree(BASE, top)
    git(top, "init", "--quiet")
    repo = Repo(top, top)
    repo.commit("base")
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    result = review(top, "main")
    assert as_text(result).endswith("\n" + ENV_DIFF.format(env="dev") + ENV_DIFF.format(env="prod"))


def test_a_symlinked_file_is_read_at_the_base_as_now(repo: Repo) -> None:
    files = repo.root / SERVICES / "web" / "files"
    files.mkdir()
    (files / "settings.json").symlink_to("../../billing/files/settings.json")
    repo.commit("web shares billing's settings")
    assert not review(repo.root, "HEAD").changed
    lines = [change.line for section in review(repo.root, "HEAD~1").sections for change in section.changes]
    assert lines == ["~ ConfigMap dev-web-config-files", "~ ConfigMap prod-web-config-files"]


# --- when the base cannot be compared ---------------------------------------------------


def test_a_base_that_does_not_validate_counts_as_empty(repo: Repo) -> None:
    repo.edit(WEB, "port: 8080", "port: eighty")
    repo.commit("broken")
    repo.edit(WEB, "port: eighty", "port: 8080")
    repo.commit("fixed")
    result = review(repo.root, "HEAD~1")
    note = f"the tree at {since(repo, 'HEAD~1')} does not validate (1 error): everything is shown as added"
    assert result.note == note
    text = as_text(result)
    assert text.startswith(f"changes to the rendered output since {since(repo, 'HEAD~1')}:\nnote: {note}\n")
    summaries = [line for line in text.splitlines() if re.fullmatch(r"shop/\w+: .*", line)]
    assert summaries == [
        "shop/_shared: 6 added, 0 changed, 0 removed",
        "shop/dev: 32 added, 0 changed, 0 removed",
        "shop/prod: 34 added, 0 changed, 0 removed",
    ]
    assert f"> **Note:** {note}\n" in as_markdown(result)


def test_a_root_that_did_not_exist_at_the_base_counts_as_empty(repo: Repo) -> None:
    shutil.move(repo.root, repo.top / "later")
    repo.commit("not yet")
    shutil.move(repo.top / "later", repo.root)
    result = review(repo.root, "HEAD")
    assert result.note == f"gitops did not exist at {since(repo, 'HEAD')}: everything is shown as added"
    assert [s.summary for s in result.sections] == [
        "shop/_shared: 6 added, 0 changed, 0 removed",
        "shop/dev: 32 added, 0 changed, 0 removed",
        "shop/prod: 34 added, 0 changed, 0 removed",
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "unknown git revision 'no-such-branch'"),
        ("HEAD~5", "unknown git revision 'HEAD~5'"),
        ("--output=/tmp/x", "--base '--output=/tmp/x' is not a git revision"),
    ],
)
def test_an_unknown_revision_is_a_usage_error(repo: Repo, ref: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        review(repo.root, ref)
    assert caught.value.exit_code == 2
    hint = " (in CI, check out the history: actions/checkout with fetch-depth: 0)"
    assert str(caught.value) == (message + hint if message.startswith("unknown") else message)


def test_outside_a_git_repository_exit_3(base_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(base_tree.parent))
    with pytest.raises(GitError) as caught:
        review(base_tree, "HEAD")
    assert caught.value.exit_code == 3
    assert str(caught.value) == f"{base_tree} is not inside a git repository; --base needs one"


def test_a_current_tree_that_does_not_validate_fails_as_render_does(repo: Repo) -> None:
    repo.edit(WEB, "port: 8080", "port: eighty")
    with pytest.raises(InvalidInput) as caught:
        review(repo.root, "HEAD")
    assert caught.value.exit_code == 1
    assert [p.text() for p in caught.value.problems] == [f"{WEB}:7:9: error: must be an integer"]


# --- the pull request comment -----------------------------------------------------------


def env_change_markdown(repo: Repo) -> tuple[str, str, str, str]:
    """The head, both sections and the left-out line of the env var change's comment."""
    base = repo.head("HEAD~1")[:12]
    head = (
        f"{MARKER}\n### aigonix-render diff\n\nChanges to the rendered output since `HEAD~1` (`{base}`):\n\n"
    )
    dev, prod = (
        f"<details><summary>shop/{env}: 0 added, 1 changed, 0 removed</summary>\n\n"
        f"- `~` ConfigMap `{env}-web-env-variables`\n\n"
        f"```diff\n{ENV_DIFF.format(env=env)}```\n\n</details>\n"
        for env in ("dev", "prod")
    )
    left = (
        "**Left out**, the comment would be too long: shop/prod (0 added, 1 changed, 0 removed). "
        "Run `aigonix-render diff --base HEAD~1` locally to see everything.\n"
    )
    return head, dev, prod, left


def test_markdown_is_cut_at_a_section_boundary(repo: Repo) -> None:
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    repo.commit("web logs more")
    result = review(repo.root, "HEAD~1")
    head, dev, prod, left = env_change_markdown(repo)
    whole = head + dev + "\n" + prod
    assert as_markdown(result) == whole
    assert as_markdown(result, limit=len(whole)) == whole
    cut = head + dev + "\n" + left
    assert as_markdown(result, limit=len(whole) - 1) == cut
    assert as_markdown(result, limit=len(cut)) == cut
    nothing = head + (
        "**Left out**, the comment would be too long: shop/dev (0 added, 1 changed, 0 removed); "
        "shop/prod (0 added, 1 changed, 0 removed). Run `aigonix-render diff --base HEAD~1` locally to see "
        "everything.\n"
    )
    assert as_markdown(result, limit=len(cut) - 1) == nothing
    assert len(as_markdown(result, limit=40)) == 40


def test_markdown_fences_outlast_backticks_in_the_content(repo: Repo) -> None:
    files = repo.root / SERVICES / "web" / "files"
    files.mkdir()
    (files / "README.md").write_text("```sh\nmake\n```\n")
    repo.commit("a file with a code block")
    markdown = as_markdown(review(repo.root, "HEAD~1"))
    blocks = re.findall(r"^(`{3,})diff\n.*?^\1\n", markdown, flags=re.M | re.S)
    assert blocks == ["````", "````"], markdown
    assert "+  README.md: |\n+    ```sh\n+    make\n+    ```\n" in markdown


# --- posting it: a local stand-in for GitHub's REST API ---------------------------------


@pytest.fixture
def github() -> Iterator[GitHub]:
    with serving(GitHub()) as state:
        yield state


def quiet_env(extra: Mapping[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}, **extra}


def post_comment(
    github: GitHub, body: Path, *flags: str, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    argv = [
        sys.executable,
        "-m",
        "aigonix_render.commands.pr_comment",
        "--repository",
        "o/r",
        "--pull-request",
        "7",
    ]
    env = quiet_env({"GITHUB_API_URL": github.url, "GITHUB_TOKEN": token})
    argv += ["--body-file", str(body), *flags]
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)


def test_the_comment_is_created_once_then_updated(github: GitHub, tmp_path: Path) -> None:
    body = tmp_path / "comment.md"
    body.write_text(f"{MARKER}\nfirst\n")
    first = post_comment(github, body)
    assert (first.returncode, first.stdout, first.stderr) == (
        0,
        "created comment 1001 on #7: https://gh.test/c/1001\n",
        "",
    )
    body.write_text(f"{MARKER}\nsecond\n")
    second = post_comment(github, body)
    assert (second.returncode, second.stdout, second.stderr) == (0, "updated comment 1001 on #7\n", "")
    assert github.bodies(7) == [f"{MARKER}\nsecond\n"]
    assert [(method, path) for method, path, _ in github.requests] == [
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
        ("POST", "/repos/o/r/issues/7/comments"),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1"),
        ("GET", "/user"),
        ("PATCH", "/repos/o/r/issues/comments/1001"),
    ]
    assert {auth for _, _, auth in github.requests} == {f"Bearer {TOKEN}"}


def test_the_marked_comment_is_found_on_a_later_page(github: GitHub, tmp_path: Path) -> None:
    others = [{"id": n, "body": f"comment {n}\n{MARKER}"} for n in range(1, 151)]
    others[119] |= {"body": f"{MARKER}\r\nold preview", "user": {"login": "github-actions[bot]"}}
    github.comments[7] = others
    body = tmp_path / "comment.md"
    body.write_text("no marker yet\n")
    result = post_comment(github, body)
    assert (result.returncode, result.stdout) == (0, "updated comment 120 on #7\n"), result.stderr
    assert github.comments[7][119]["body"] == f"{MARKER}\nno marker yet\n"
    assert [path for _, path, _ in github.requests][-3:] == [
        "/repos/o/r/issues/7/comments?per_page=100&page=2",
        "/user",
        "/repos/o/r/issues/comments/120",
    ]


def test_update_only_creates_nothing(github: GitHub, tmp_path: Path) -> None:
    body = tmp_path / "comment.md"
    body.write_text(f"{MARKER}\nno change\n")
    result = post_comment(github, body, "--update-only")
    assert (result.returncode, result.stdout) == (
        0,
        "no preview comment on #7 yet and nothing changed: none created\n",
    )
    assert [method for method, _, _ in github.requests] == ["GET"]


def test_a_refusal_is_one_line_without_the_token(github: GitHub, tmp_path: Path) -> None:
    github.refuse.add("POST")
    body = tmp_path / "comment.md"
    body.write_text(f"{MARKER}\n")
    result = post_comment(github, body)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == (
        "aigonix-render: error: GitHub answered 403 to POST /repos/o/r/issues/7/comments: Resource not "
        "accessible by integration (the token needs pull-requests: write; pull requests from forks get a "
        "read-only token)\n"
    )
    missing = post_comment(github, body, token="")
    assert (missing.returncode, missing.stderr) == (
        2,
        "aigonix-render: error: GITHUB_TOKEN is empty: give the step the token (pull-requests: write)\n",
    )


# --- the Action's preview step ----------------------------------------------------------

CLI_WIRED = "--base" in run_line("diff", "--help").stdout
# Stands in for the CLI until ``diff --base`` is wired: the exact command line the step runs.
DIFF_STAND_IN = """\
import sys
from pathlib import Path
from aigonix_render.review import as_markdown, review
args = sys.argv[1:]
assert args[:2] == ["diff", "--base"] and args[3:7] == ["--format", "markdown", "--exit-code", "--"], args
result = review(Path(args[7]), args[2])
sys.stdout.write(as_markdown(result))
sys.exit(1 if result.changed else 0)
"""


@dataclass(frozen=True)
class StepRun:
    returncode: int
    log: str
    outputs: str
    summary: str


def install_stand_in(temp: Path) -> None:
    """What the install step leaves in RUNNER_TEMP: this Python, and the CLI (its stand-in
    until ``diff --base`` is wired)."""
    bin_ = temp / "aigonix-render-venv" / "bin"
    if bin_.exists():
        return
    bin_.mkdir(parents=True)
    (temp / "diff.py").write_text(DIFF_STAND_IN)
    python = shlex.quote(sys.executable)
    cli = "-m aigonix_render " if CLI_WIRED else shlex.quote(str(temp / "diff.py")) + " "
    wrappers = {"python": "", "aigonix-render": cli}
    for name, arguments in wrappers.items():
        (bin_ / name).write_text(f'#!/bin/sh\nexec {python} {arguments}"$@"\n')
        (bin_ / name).chmod(0o755)


def run_preview_step(repo: Repo, github: GitHub, temp: Path, event: Mapping[str, str]) -> StepRun:
    """The ``preview`` step of action.yml as GitHub runs it, the expressions of its ``env:``
    resolved from ``event``; the install step's venv is this Python with a stand-in CLI."""
    step = next(
        s
        for s in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]
        if s.get("id") == "preview"
    )
    assert step["if"] == "inputs.mode == 'preview'" and step["shell"] == "bash"
    install_stand_in(temp)
    outputs, summary, script = temp / "outputs", temp / "summary", temp / "preview.sh"
    outputs.write_text("")
    summary.write_text("")
    script.write_text(step["run"])
    context = {"inputs.root": "gitops", "inputs.base": "", "inputs.token": TOKEN, **event}
    env = quiet_env(
        {
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_API_URL": github.url,
            "GITHUB_EVENT_NAME": "pull_request" if event["github.event.pull_request.number"] else "push",
        }
    )
    env.update(
        {
            k: re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], v)
            for k, v in step["env"].items()
        }
    )
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
    result = subprocess.run(argv, cwd=repo.top, env=env, capture_output=True, text=True, check=False)
    return StepRun(result.returncode, result.stdout + result.stderr, outputs.read_text(), summary.read_text())


def pull_request(repo: Repo, head_repository: str = "o/r") -> dict[str, str]:
    return {
        "github.event.pull_request.base.sha": repo.head("main"),
        "github.event.pull_request.number": "7",
        "github.event.pull_request.head.repo.full_name": head_repository,
    }


def test_preview_mode_comments_once_and_updates_it(repo: Repo, github: GitHub, tmp_path: Path) -> None:
    git(repo.top, "checkout", "--quiet", "-b", "change")
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    repo.commit("web logs more")
    event = pull_request(repo)
    first = run_preview_step(repo, github, tmp_path / "runner", event)
    assert first.returncode == 0, first.log
    assert first.outputs == "changed=true\n"
    assert first.log == "created comment 1001 on #7: https://gh.test/c/1001\n"
    expected = as_markdown(review(repo.root, repo.head("main")))
    assert github.bodies(7) == [expected]
    assert first.summary == expected

    repo.edit(WEB, "LOG_LEVEL: debug", "LOG_LEVEL: info")
    repo.commit("back")
    second = run_preview_step(repo, github, tmp_path / "runner", event)
    assert (second.returncode, second.outputs) == (0, "changed=false\n"), second.log
    assert second.log == "updated comment 1001 on #7\n"
    assert github.bodies(7) == [as_markdown(review(repo.root, repo.head("main")))]
    assert "No change to the rendered output" in github.bodies(7)[0]
    assert {auth for _, _, auth in github.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in first.log + first.summary + second.log + second.summary


def test_preview_mode_from_a_fork_writes_the_summary_only(repo: Repo, github: GitHub, tmp_path: Path) -> None:
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    run = run_preview_step(repo, github, tmp_path / "runner", pull_request(repo, "someone/fork"))
    assert run.returncode == 0, run.log
    assert run.log.startswith(
        "::notice title=aigonix-render::a pull request from a fork gets a read-only token"
    )
    assert run.summary.startswith(MARKER)
    assert github.requests == []


def test_preview_mode_needs_a_pull_request(repo: Repo, github: GitHub, tmp_path: Path) -> None:
    event = {key: "" for key in pull_request(repo)}
    run = run_preview_step(repo, github, tmp_path / "runner", event)
    assert run.returncode == 2
    assert "::error title=aigonix-render::preview mode needs a pull_request event" in run.log
    assert github.requests == []


# --- the command line, once ``diff --base`` is wired in cli.py ---------------------------


@pytest.mark.skipif(not CLI_WIRED, reason="cli.py has no diff --base yet")
def test_the_command_line_prints_the_review(repo: Repo) -> None:
    repo.edit(WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    repo.commit("web logs more")
    result = review(repo.root, "HEAD~1")
    text = run_line("diff", "--base", "HEAD~1", repo.root)
    assert (text.exit_code, text.stdout) == (0, as_text(result)), text
    markdown = run_line("diff", "--base", "HEAD~1", "--format", "markdown", "--exit-code", repo.root)
    assert (markdown.exit_code, markdown.stdout) == (1, as_markdown(result)), markdown
    unknown = run_line("diff", "--base", "nope", repo.root)
    assert unknown.exit_code == 2, unknown
