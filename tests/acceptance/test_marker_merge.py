"""The committed output in git (issue 21): the same on every machine, merged by git line by
line, and rendered again after a merge or a conflict without every key."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_line, sops_decrypt

from aigonix_render.seal.sops import find_sops

ONE = "applications/one/microservices/hello"
TWO = "applications/two/microservices/hello"
MARKER = "rendered/.aigonix-render"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    result = subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=False)
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


def seal_secret(tree: Path, microservice: str, env: str, value: str) -> None:
    """Write the environment's secrets file, encrypted with the sops binary for the tree's
    ``.sops.yaml`` (encrypting needs no private key)."""
    target = tree / microservice / "environments" / env / "secrets.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    relative = target.relative_to(tree).as_posix()
    argv = [find_sops(), "encrypt", "--filename-override", relative, "/dev/stdin"]
    sealed = subprocess.run(argv, input=f"API_TOKEN: {value}\n", cwd=tree, capture_output=True, text=True)
    assert sealed.returncode == 0, sealed.stderr
    target.write_text(sealed.stdout)


def set_greeting(tree: Path, microservice: str, greeting: str) -> None:
    manifest = tree / microservice / "aigonix.yaml"
    text = manifest.read_text()
    assert "GREETING: hello" in text
    manifest.write_text(text.replace("GREETING: hello", f"GREETING: {greeting}"))


def render(repo: Path, key: Path | None, *extra: str) -> str:
    env = {"SOPS_AGE_KEY_FILE": str(key)} if key is not None else None
    result = run_line("render", repo, "-o", repo / "rendered", *extra, env=env)
    assert result.exit_code == 0, result
    return result.stderr


def commit_rendered(repo: Path, key: Path | None, message: str) -> None:
    render(repo, key)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, no_sops_keys: None) -> Path:
    """A git repository with two applications that do not tie to each other, each with a
    Secret, rendered and committed; the key lies beside it (``key``), git-ignored."""
    tree = tmp_path / "repo"
    assert run_line("init", tree, "--customer", "Acme", "--application", "one").exit_code == 0
    assert run_line("init", tmp_path / "other", "--application", "two").exit_code == 0
    shutil.copytree(tmp_path / "other/applications/two", tree / "applications/two")
    for microservice in (ONE, TWO):
        manifest = tree / microservice / "aigonix.yaml"
        manifest.write_text(manifest.read_text() + "secrets: [API_TOKEN]\n")
        for env in ("Dev", "Prod"):
            seal_secret(tree, microservice, env, f"token-{env}")
    shutil.move(tree / "age.agekey", tmp_path / "key.agekey")
    git(tree, "init", "-q", "-b", "main")
    commit_rendered(tree, tmp_path / "key.agekey", "tree and its output")
    return tree


def key_of(repo: Path) -> Path:
    return repo.parent / "key.agekey"


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def assert_as_rendered_from_scratch(repo: Path, tmp_path: Path) -> None:
    """OUT is what a render of the tree into an empty folder makes, byte for byte; Secrets,
    encrypted anew there, by their plaintext (and the marker's lines for them aside)."""
    scratch = tmp_path / "scratch"
    result = run_line("render", repo, "-o", scratch, env={"SOPS_AGE_KEY_FILE": str(key_of(repo))})
    assert result.exit_code == 0, result
    ours, fresh = files(repo / "rendered"), files(scratch)
    assert sorted(ours) == sorted(fresh)
    secrets = {path for path, text in fresh.items() if b"\nsops:\n" in text}
    assert secrets  # the tree has Secrets, and none of them had to be sealed again
    for path in sorted(set(fresh) - secrets - {".aigonix-render"}):
        assert ours[path] == fresh[path], path
    for path in secrets:
        plain = (yaml.safe_load(sops_decrypt(d / path, key_of(repo))) for d in (repo / "rendered", scratch))
        assert next(plain) == next(plain), path

    def marker(text: bytes) -> list[str]:
        return [line for line in text.decode().splitlines() if line.partition("  ")[2] not in secrets]

    assert marker(ours[".aigonix-render"]) == marker(fresh[".aigonix-render"])


def test_a_fresh_clone_renders_to_the_very_bytes_committed(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    shutil.copy(key_of(repo), clone / "age.agekey")
    (clone / "notes.txt~").write_text("an editor's backup\n")
    (clone / ONE / "files").mkdir()
    (clone / ONE / "files" / "notes.txt~").write_text("an editor's backup\n")
    before = files(clone / "rendered")
    render(clone, None)
    assert files(clone / "rendered") == before
    assert git(clone, "status", "--porcelain", "rendered").stdout == ""


def test_branches_that_render_different_applications_merge_and_need_no_key(
    repo: Path, tmp_path: Path
) -> None:
    git(repo, "checkout", "-q", "-b", "b")
    set_greeting(repo, TWO, "hello from b")
    commit_rendered(repo, key_of(repo), "b changes two")
    git(repo, "checkout", "-q", "main")
    set_greeting(repo, ONE, "hello from main")
    commit_rendered(repo, key_of(repo), "main changes one")
    merged = git(repo, "merge", "-q", "--no-edit", "b", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    before = files(repo / "rendered")
    stderr = render(repo, None)  # no key at all: nothing needs sealing
    assert "0 added, 0 changed, 0 removed; 0 Secrets encrypted" in stderr
    assert files(repo / "rendered") == before
    assert_as_rendered_from_scratch(repo, tmp_path)


def test_a_conflicted_marker_is_rendered_again_without_the_other_sides_key(
    repo: Path, tmp_path: Path
) -> None:
    """Both branches change what ``one/dev`` reads: git cannot merge the marker's lines of
    that folder. ``render --check`` says what to do, and it works with no key at all."""
    git(repo, "checkout", "-q", "-b", "b")
    seal_secret(repo, ONE, "Dev", "a-new-token")
    commit_rendered(repo, key_of(repo), "b changes one's secret")
    git(repo, "checkout", "-q", "main")
    set_greeting(repo, ONE, "hello from main")
    commit_rendered(repo, key_of(repo), "main changes one's greeting")
    merged = git(repo, "merge", "-q", "--no-edit", "b", check=False)
    assert merged.returncode != 0
    conflicted = git(repo, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert conflicted == [MARKER]
    assert "<<<<<<<" in (repo / MARKER).read_text()
    check = run_line("render", repo, "-o", repo / "rendered", "--check")
    assert check.exit_code == 1, check
    assert f"~ {repo / MARKER}\n" in check.stdout
    assert "git could not merge it: run `aigonix-render render` without resolving it by hand" in check.stderr
    stderr = render(repo, None)
    assert "written anew from the merged tree" in stderr
    assert "0 Secrets encrypted" in stderr
    assert "<<<<<<<" not in (repo / MARKER).read_text()
    assert_as_rendered_from_scratch(repo, tmp_path)
    git(repo, "add", MARKER)
    git(repo, "commit", "-q", "--no-edit")
    assert run_line("render", repo, "-o", repo / "rendered", "--check").exit_code == 0
