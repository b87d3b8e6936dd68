"""A render that finds OUT up to date (the no-op, and ``render --check`` in CI) passes no
tree that a render from scratch refuses, although it reads no manifest: not after git
merged two branches that each made a claim another application holds, not when git now
ignores an input, not when a symlink among the inputs now leads elsewhere, and not under
``--strict`` when an editor's leftover lies among the config files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_line
from git_repo import commit, git, make_hermetic

from aigonix_render.foundation import forked

ONE = "applications/one/microservices/hello"
TWO = "applications/two/microservices/hello"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two applications that do not tie to each other, rendered and committed."""
    make_hermetic(monkeypatch)
    tree = tmp_path / "repo"
    assert run_line("init", tree, "--customer", "Acme", "--application", "one").exit_code == 0
    assert run_line("init", tmp_path / "other", "--application", "two").exit_code == 0
    shutil.copytree(tmp_path / "other/applications/two", tree / "applications/two")
    (tree / ".gitignore").write_text("age.agekey\n")
    git(tree, "init", "--quiet")
    render_into(tree)
    commit(tree, "tree and its output")
    return tree


def render_into(tree: Path, *extra: str) -> None:
    result = run_line("render", tree, "-o", tree / "rendered", *extra)
    assert result.exit_code == 0, result


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, path
    path.write_text(text.replace(old, new, 1))


def microservice_id(tree: Path, microservice: str) -> str:
    for line in (tree / microservice / "aigonix.yaml").read_text().splitlines():
        if line.startswith("id: "):
            return line.removeprefix("id: ").partition(" ")[0]
    raise AssertionError(microservice)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_refused_as_from_scratch(tree: Path, *extra: str) -> str:
    """``render --check`` and ``render`` refuse the tree with the very problems a render into
    an empty folder reports; OUT stays as it was. The problems, as said."""
    scratch = run_line("render", tree, "-o", tree.parent / "scratch", *extra)
    assert scratch.exit_code == 1, scratch
    before = files(tree / "rendered")
    for argv in ((*extra, "--check"), extra):
        result = run_line("render", tree, "-o", tree / "rendered", *argv)
        assert (result.exit_code, result.stderr) == (1, scratch.stderr), argv
    assert files(tree / "rendered") == before
    return scratch.stderr


@pytest.mark.parametrize("claim", ["microservice id", "host"])
def test_two_branches_that_each_make_one_claim_merge_but_do_not_pass(repo: Path, claim: str) -> None:
    """Branch b gives application two a microservice id (or Dev host) that main then gives
    one: each branch renders, git merges the marker without a conflict, and the merged tree
    is refused as a render from scratch refuses it."""
    if claim == "host":
        old = {"one": "one-dev.example.com", "two": "two-dev.example.com"}
        new = {app: "shop-dev.example.com" for app in old}
    else:
        old = {
            app: microservice_id(repo, f"applications/{app}/microservices/hello") for app in ("one", "two")
        }
        new = {app: "0d7b6c4e-1f23-4a5b-9c8d-7e6f5a4b3c2d" for app in old}
    where = "" if claim == "host" else "/microservices/hello"

    def manifest(app: str) -> Path:
        return repo / f"applications/{app}{where}/aigonix.yaml"

    git(repo, "checkout", "--quiet", "-b", "b")
    replace(manifest("two"), old["two"], new["two"])
    render_into(repo)
    commit(repo, "b: two's claim")
    git(repo, "checkout", "--quiet", "main")
    replace(manifest("one"), old["one"], new["one"])
    render_into(repo)
    commit(repo, "main: one's claim")
    git(repo, "merge", "--quiet", "--no-edit", "b")  # no conflict
    stderr = assert_refused_as_from_scratch(repo)
    assert f"{claim} {new['two']!r} is already used" in stderr


def test_an_input_git_now_ignores_does_not_pass(repo: Path) -> None:
    files_folder = repo / ONE / "files"
    files_folder.mkdir()
    (files_folder / "settings.json").write_text('{"greeting": "hello"}\n')
    render_into(repo)
    commit(repo, "a config file")
    with (repo / ".gitignore").open("a") as ignore:
        ignore.write("settings.json\n")
    git(repo, "rm", "--cached", "--quiet", f"{ONE}/files/settings.json")  # a tracked file is never ignored
    stderr = assert_refused_as_from_scratch(repo)
    assert "settings.json:1:1: error: ignored by git" in stderr


def test_a_symlink_whose_chain_now_leads_out_of_the_repository_does_not_pass(
    repo: Path, tmp_path: Path
) -> None:
    """The config file links to ``shared/current``, itself a link: pointed out of the
    repository, at a file with the very same bytes, the config file's bytes are unchanged."""
    content = '{"greeting": "hello"}\n'
    (repo / "shared").mkdir()
    (repo / "shared/settings.json").write_text(content)
    os.symlink("settings.json", repo / "shared/current")
    (repo / ONE / "files").mkdir()
    os.symlink("../../../../../shared/current", repo / ONE / "files/settings.json")
    render_into(repo)
    commit(repo, "a linked config file")
    (tmp_path / "elsewhere.json").write_text(content)
    (repo / "shared/current").unlink()
    os.symlink(tmp_path / "elsewhere.json", repo / "shared/current")
    stderr = assert_refused_as_from_scratch(repo)
    assert "a symlink leading outside the repository cannot be a config file" in stderr


def test_an_editors_leftover_does_not_pass_under_strict(repo: Path) -> None:
    (repo / ONE / "files").mkdir()
    (repo / ONE / "files/settings.json").write_text('{"greeting": "hello"}\n')
    render_into(repo, "--strict")
    commit(repo, "a config file, rendered strictly")
    (repo / ONE / "files/settings.json~").write_text('{"greeting": "hi"}\n')
    stderr = assert_refused_as_from_scratch(repo, "--strict")
    assert "'settings.json~' is left out" in stderr


@pytest.mark.parametrize("linked", ["the file", "a folder on the way"])
def test_registry_credentials_whose_symlink_now_leads_out_of_the_repository_do_not_pass(
    linked: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """The customer file names the registry credentials through a symlink (the file itself,
    or a folder on the way): pointed out of the repository at the very same bytes, the
    named file's bytes are unchanged, but a render from scratch refuses it."""
    (sample_tree / "creds").mkdir()
    (sample_tree / "registry.sops.yaml").rename(sample_tree / "creds/registry.sops.yaml")
    outside = tmp_path / "outside"
    shutil.copytree(sample_tree / "creds", outside)
    if linked == "the file":
        link, target = sample_tree / "registry.sops.yaml", "creds/registry.sops.yaml"
    else:
        (sample_tree / "creds").rename(sample_tree / "creds-v1")
        link, target = sample_tree / "creds", "creds-v1"
        replace(
            sample_tree / "aigonix.yaml",
            "credentials: registry.sops.yaml",
            "credentials: creds/registry.sops.yaml",
        )
    link.symlink_to(target)
    render_into(sample_tree)
    link.unlink()
    link.symlink_to(outside / "registry.sops.yaml" if linked == "the file" else outside)
    stderr = assert_refused_as_from_scratch(sample_tree)
    assert "error: no such file in the repository" in stderr


def test_a_marker_that_lost_an_applications_claims_is_not_up_to_date(repo: Path) -> None:
    """A section whose application has no claims line could hide any claim: OUT is not up
    to date (a no-op would leave the marker as it is), and the render writes the line again."""
    marker = repo / "rendered/.aigonix-render"
    text = marker.read_text()
    claims = [line for line in text.splitlines(True) if line.startswith("# claims: ")]
    assert len(claims) == 2
    marker.write_text(text.replace(claims[1], ""))
    render_into(repo)
    assert marker.read_text() == text


def test_on_two_cores_the_no_op_finds_the_same(
    repo: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """In a large tree a forked child walks the tree and looks at the output files while
    the inputs are digested: up to date stays up to date, and a stray manifest (the child's
    walk) or an output file edited by hand (its look, then a hash) is found."""
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    out = repo / "rendered"
    before = files(out)
    check = run_line("render", repo, "-o", out, "--check")
    assert (check.exit_code, len(forks)) == (0, 1)
    (repo / "docs").mkdir()
    (repo / "docs/aigonix.yaml").write_text("kind: Customer\n")
    stray = run_line("render", repo, "-o", out, "--check")
    assert stray.exit_code == 1 and "docs/aigonix.yaml:1:1: error" in stray.stderr, stray
    (repo / "docs/aigonix.yaml").unlink()
    edited = next(path for path in sorted(before) if path.endswith("deployment-dev-hello.yaml"))
    (out / edited).write_text("kind: Deployment # by hand\n")
    check = run_line("render", repo, "-o", out, "--check")
    assert check.exit_code == 1 and f"~ {out / edited}" in check.stdout, check
    render_into(repo)
    assert files(out) == before
    replace(repo / ONE / "aigonix.yaml", "GREETING: hello", "GREETING: hi")  # the child is not needed
    result = run_line("render", repo, "-o", out)
    assert result.exit_code == 0 and "0 added, 2 changed, 0 removed" in result.stderr, result  # Dev, Prod


def test_a_change_that_renders_the_same_files_still_moves_the_marker(repo: Path, tmp_path: Path) -> None:
    """A comment in a manifest changes no output file but the marker's input digests: left
    unrendered, `render --check` and `diff --exit-code` say so (exit 1, the marker named),
    or the next render of a fresh clone would write it anew."""
    out = repo / "rendered"
    with (repo / ONE / "aigonix.yaml").open("a") as manifest:
        manifest.write("# a comment\n")
    commit(repo, "a comment, not rendered")
    check = run_line("render", repo, "-o", out, "--check")
    assert (check.exit_code, check.stdout) == (1, f"~ {out / '.aigonix-render'}\n"), check
    changes = run_line("diff", repo, "-o", out, "--exit-code")
    assert changes.exit_code == 1 and "+# inputs: sha256:" in changes.stdout, changes
    render_into(repo)
    commit(repo, "rendered")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(repo), str(clone))
    render_into(clone)
    assert git(clone, "status", "--porcelain") == ""
    assert run_line("render", clone, "-o", clone / "rendered", "--check").exit_code == 0
