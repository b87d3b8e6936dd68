"""Nothing is published that is not the tree's own content (issue 19.2).

A tree made by ``aigonix-render init`` keeps its private key, git-ignored, in
``age.agekey`` at the root. A committed symlink in a ``files/`` folder that leads to it,
a private key committed as a config file, a ``*.agekey`` file, or a file git ignores
reached through a symlink: each is an error at its place, never rendered, shown in a
``diff --base`` comment or copied into OUT, and no message quotes it. Every tree here is a
real git repository in ``tmp_path`` holding a real ``init`` tree.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_line, run_process, snapshot
from git_repo import commit, git, make_hermetic

from aigonix_render.foundation.ignored import Ignored, git_ignored
from aigonix_render.load import load_tree

HELLO = "applications/example/microservices/hello"
FILES = f"{HELLO}/files"
TO_ROOT = "../../../../../"  # from FILES to the root
KEY_FILE = "a key file by its name: private keys are never read as input; keep key files out of the tree"
NEVER_READ = "private keys are never read as input; keep them out of the tree"
IGNORED = "git does not commit it, so it is never read as input (the tree CI renders has no such file)"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAcanaryPemKeyBodyThatMustNeverBePublished0123456789\n"
    "-----END RSA PRIVATE KEY-----\n"
)
PEM_BODY = "canaryPemKeyBodyThatMustNeverBePublished"
CANARY = "DB_PASSWORD=canary-local-env-3f9a"


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """No git variable of a surrounding hook, no git configuration, no SOPS key (``init``
    generates its own key into the tree)."""
    make_hermetic(monkeypatch, "SOPS_")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``aigonix-render init``'s tree, committed as the first commit of its repository."""
    root = tmp_path / "gitops"
    made = run_line("init", root)
    assert made.exit_code == 0, made
    assert (root / "age.agekey").is_file()
    git(root, "init", "--quiet")
    commit(root, "init")
    assert git(root, "ls-files", "age.agekey") == ""  # git-ignored, as init makes it
    return root


@pytest.fixture
def out(tree: Path, tmp_path: Path) -> Path:
    """The tree rendered once: the OUT a refused render must leave as it was."""
    folder = tmp_path / "out"
    result = run_line("render", tree, "-o", folder)
    assert result.exit_code == 0, result
    return folder


def age_key(tree: Path) -> str:
    """The private key line of the tree's ``age.agekey``."""
    lines = (tree / "age.agekey").read_text().splitlines()
    found = [line for line in lines if line.startswith("AGE-SECRET-KEY-1")]
    assert len(found) == 1
    return found[0]


def assert_refused(tree: Path, out: Path, expected: str, secret: str) -> None:
    """``validate`` prints exactly ``expected``; ``render`` exits 1 and leaves OUT as it was;
    ``secret`` is in no output and in no file of OUT."""
    checked = run_line("validate", tree)
    assert (checked.exit_code, checked.stdout) == (1, f"{expected}\n"), checked
    before = snapshot(out)
    rendered = run_line("render", tree, "-o", out)
    assert rendered.exit_code == 1, rendered
    assert f"{expected}\n" in rendered.stdout + rendered.stderr, rendered
    assert snapshot(out) == before
    for run in (checked, rendered):
        assert secret not in run.stdout + run.stderr
    assert not [p for p in out.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# --- the four ways in -------------------------------------------------------------------


def test_the_age_key_reached_by_a_committed_symlink_in_files_is_refused(tree: Path, out: Path) -> None:
    (tree / FILES).mkdir()
    (tree / FILES / "settings.txt").symlink_to(f"{TO_ROOT}age.agekey")
    commit(tree, "settings")
    expected = f"{FILES}/settings.txt:1:1: error: a symlink to age.agekey, {KEY_FILE}"
    assert_refused(tree, out, expected, age_key(tree))


def test_a_pem_key_committed_as_a_config_file_is_refused_where_it_starts(tree: Path, out: Path) -> None:
    (tree / FILES).mkdir()
    (tree / FILES / "tls.conf").write_text("# the server's key\n\n  " + PEM)
    commit(tree, "tls")
    expected = f"{FILES}/tls.conf:3:3: error: holds a private key (a PEM private key): {NEVER_READ}"
    assert_refused(tree, out, expected, PEM_BODY)


def test_an_ignored_file_reached_by_a_committed_symlink_is_refused(tree: Path, out: Path) -> None:
    (tree / ".gitignore").write_text((tree / ".gitignore").read_text() + "local.env\n")
    (tree / "local.env").write_text(f"{CANARY}\n")
    (tree / FILES).mkdir()
    (tree / FILES / "app.env").symlink_to(f"{TO_ROOT}local.env")
    commit(tree, "app.env")
    assert git(tree, "ls-files", "local.env") == ""
    expected = f"{FILES}/app.env:1:1: error: a symlink to local.env, which git ignores: {IGNORED}"
    assert_refused(tree, out, expected, CANARY)


def test_an_agekey_file_in_files_is_refused(tree: Path, out: Path) -> None:
    (tree / FILES).mkdir()
    (tree / FILES / "backup.agekey").write_bytes((tree / "age.agekey").read_bytes())
    expected = f"{FILES}/backup.agekey:1:1: error: {KEY_FILE}"
    assert_refused(tree, out, expected, age_key(tree))


def test_generate_refuses_the_symlinked_key_too(tree: Path) -> None:
    """``generate`` (Argo CD) loads only one application, through the same steps."""
    (tree / FILES).mkdir()
    (tree / FILES / "settings.txt").symlink_to(f"{TO_ROOT}age.agekey")
    commit(tree, "settings")
    result = run_process("generate", tree, "--app", "example", "--env", "Dev", cwd=tree)
    assert result.exit_code == 1, result
    assert f"{FILES}/settings.txt:1:1: error: a symlink to age.agekey, {KEY_FILE}\n" in result.stderr
    assert age_key(tree) not in result.stdout + result.stderr


# --- every file the loader reads --------------------------------------------------------


def test_an_environment_file_that_is_ignored_by_git_is_refused(tree: Path, out: Path) -> None:
    files = tree / HELLO / "environments" / "Dev" / "files"
    files.mkdir(parents=True)
    (files / "local.properties").write_text(f"{CANARY}\n")
    (tree / ".gitignore").write_text((tree / ".gitignore").read_text() + "*.properties\n")
    expected = f"{HELLO}/environments/Dev/files/local.properties:1:1: error: ignored by git: {IGNORED}"
    assert_refused(tree, out, expected, CANARY)


def test_a_key_inside_a_binary_config_file_is_refused(tree: Path, out: Path) -> None:
    (tree / FILES).mkdir()
    key = age_key(tree)
    (tree / FILES / "bundle.bin").write_bytes(b"\x00\xff\xfe\x01\n\x89binary " + key.encode() + b"\x00")
    commit(tree, "bundle")
    expected = f"{FILES}/bundle.bin:2:9: error: holds a private key (an age identity): {NEVER_READ}"
    assert_refused(tree, out, expected, key)


def test_a_key_in_a_manifest_value_is_refused(tree: Path, out: Path) -> None:
    manifest = tree / HELLO / "aigonix.yaml"
    key = age_key(tree)
    manifest.write_text(manifest.read_text().replace("GREETING: hello", f"GREETING: hello\n  KEY: {key}"))
    line = manifest.read_text().splitlines().index(f"  KEY: {key}") + 1
    expected = f"{HELLO}/aigonix.yaml:{line}:8: error: holds a private key (an age identity): {NEVER_READ}"
    assert_refused(tree, out, expected, key)


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "an OpenSSH private key"),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "a PGP private key block"),
        ("-----BEGIN EC PRIVATE KEY-----", "a PEM private key"),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----", "a PEM private key"),
        ("-----BEGIN PRIVATE KEY-----", "a PEM private key"),
    ],
)
def test_every_kind_of_private_key_is_refused(header: str, kind: str, tree: Path) -> None:
    (tree / FILES).mkdir()
    (tree / FILES / "key.txt").write_text(f"{header}\nb3BlbnNzaC1rZXktdjEAAAAA\n")
    result = run_line("validate", tree)
    assert result.stdout == f"{FILES}/key.txt:1:1: error: holds a private key ({kind}): {NEVER_READ}\n"


def test_what_is_no_private_key_passes(tree: Path) -> None:
    """A certificate, a SOPS age stanza, a placeholder and an untracked file git does not
    ignore are content like any other."""
    (tree / FILES).mkdir()
    (tree / FILES / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (tree / FILES / "notes.txt").write_text(
        "enc: |\n  -----BEGIN AGE ENCRYPTED FILE-----\nput AGE-SECRET-KEY-1... in age.agekey\n"
    )
    result = run_line("validate", tree)
    assert (result.exit_code, result.stdout) == (0, ""), result


def test_outside_a_git_repository_nothing_counts_as_ignored(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    assert run_line("init", root).exit_code == 0
    (root / "local.env").write_text(f"{CANARY}\n")
    (root / FILES).mkdir()
    (root / FILES / "app.env").symlink_to(f"{TO_ROOT}local.env")
    assert git_ignored(root) == Ignored()
    result = run_line("validate", root)
    assert (result.exit_code, result.stdout) == (0, ""), result


def test_git_is_asked_once_per_load(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        folder = tree / HELLO.replace("hello", name)
        folder.mkdir(parents=True)
        (folder / "aigonix.yaml").write_text((tree / HELLO / "aigonix.yaml").read_text())
    started: list[list[str]] = []
    real = subprocess.Popen

    def counted(argv: list[str], **options: Any) -> subprocess.Popen[bytes]:
        started.append(argv)
        return real(argv, **options)

    monkeypatch.setattr(subprocess, "Popen", counted)
    loaded, problems = load_tree(tree)
    assert started == [
        ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"]
    ]
    assert (len(loaded.applications[0].microservices), problems) == (4, [])


def test_ignored_folders_hold_their_files() -> None:
    found = Ignored(frozenset({"a/local.env"}), frozenset({"out/", "x/y/"}))
    assert [found.holds(p) for p in ("a/local.env", "out/m/f", "x/y/z", "x/z", "a/b")] == [
        True,
        True,
        True,
        False,
        False,
    ]


# --- diff --base ------------------------------------------------------------------------


def test_diff_base_refuses_a_committed_symlink_to_the_key(tree: Path) -> None:
    (tree / FILES).mkdir()
    (tree / FILES / "settings.txt").symlink_to(f"{TO_ROOT}age.agekey")
    commit(tree, "settings")
    result = run_process("diff", "--base", "HEAD~1", "--format", "markdown", tree, cwd=tree)
    assert result.exit_code == 1, result
    assert f"{FILES}/settings.txt:1:1: error: a symlink to age.agekey, {KEY_FILE}\n" in result.stderr
    assert age_key(tree) not in result.stdout + result.stderr


def test_diff_base_never_shows_a_key_the_base_revision_holds(tree: Path) -> None:
    """The base is extracted from git into a temporary folder and read by the same loader:
    a key committed there makes the base invalid (shown as empty), never a diff line."""
    (tree / FILES).mkdir()
    (tree / FILES / "tls.conf").write_text(PEM)
    git(tree, "add", "--all")
    git(tree, "commit", "--quiet", "--no-verify", "--message", "a key, by mistake")
    (tree / FILES / "tls.conf").unlink()
    commit(tree, "the key removed")
    result = run_process("diff", "--base", "HEAD~1", "--format", "markdown", tree, cwd=tree)
    assert result.exit_code == 0, result
    assert "does not validate (1 error): everything is shown as added" in result.stdout
    assert PEM_BODY not in result.stdout + result.stderr


def test_diff_base_reads_the_base_in_an_ignored_tmpdir(tree: Path) -> None:
    """The extracted base lies in TMPDIR; inside an ignored folder of the repository git
    ignores it as a whole, which is no reason to refuse its files: the base is as it was."""
    (tree / ".gitignore").write_text((tree / ".gitignore").read_text() + ".scratch/\n")
    (tree / ".scratch").mkdir()
    commit(tree, "scratch ignored")
    manifest = tree / HELLO / "aigonix.yaml"
    manifest.write_text(manifest.read_text().replace("GREETING: hello", "GREETING: hi"))
    commit(tree, "greeting")
    scratch = {"TMPDIR": str(tree / ".scratch")}
    result = run_process("diff", "--base", "HEAD~1", tree, cwd=tree, env=scratch)
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[1:] == [
        "example/dev: 0 added, 1 changed, 0 removed",
        "  ~ ConfigMap dev-hello-env-variables",
        "example/prod: 0 added, 1 changed, 0 removed",
        "  ~ ConfigMap prod-hello-env-variables",
        "",
        *result.stdout.splitlines()[6:],
    ]
    assert list((tree / ".scratch").iterdir()) == []
