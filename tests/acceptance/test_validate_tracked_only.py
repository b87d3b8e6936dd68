"""``validate --tracked-only`` (the pre-commit hook): what git does not track is absent, as it
is from the commit, so a ``secrets.yaml`` never ``git add``-ed fails the hook."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import test_integrations as integrations
from conftest import BASE, run_line
from test_integrations import git, git_repository, pre_commit

# The pre-commit fixtures of test_integrations: a checkout of this working tree, the store.
checkout = integrations.checkout
pre_commit_home = integrations.pre_commit_home
hooked_tree = integrations.hooked_tree

PROD_SECRETS = "applications/shop/microservices/billing/environments/Prod/secrets.yaml"
MISSING = (
    "applications/shop/microservices/billing/aigonix.yaml:16:1: error: secrets are declared but"
    f" {PROD_SECRETS} is missing\n"
)


def committed_without(tmp_path: Path, *untracked: str) -> Path:
    """The base tree committed, but for ``untracked`` paths, which stay in the work tree."""
    tree = tmp_path / "gitops"
    shutil.copytree(BASE, tree)
    git_repository(tree)
    for path in untracked:
        git(tree, "rm", "--cached", "--quiet", "-r", path)
    if untracked:
        git(tree, "commit", "--quiet", "--message", "forgot some")
    return tree


def test_an_untracked_secrets_file_is_missing(tmp_path: Path) -> None:
    tree = committed_without(tmp_path, PROD_SECRETS)
    assert run_line("validate", tree).exit_code == 0
    result = run_line("validate", "--tracked-only", tree)
    assert (result.exit_code, result.stdout) == (1, MISSING), result


def test_an_untracked_microservice_is_not_part_of_the_tree(tmp_path: Path) -> None:
    tree = committed_without(tmp_path)
    broken = tree / "applications/shop/microservices/draft/aigonix.yaml"
    broken.parent.mkdir()
    broken.write_text("kind: Microservice\nname: Not A Name\n")
    (tree / "applications/shop/stray").mkdir()
    (tree / "applications/shop/stray/aigonix.yaml").write_text("kind: Customer\n")
    assert run_line("validate", tree).exit_code == 1
    result = run_line("validate", "--tracked-only", "--strict", tree)
    assert (result.exit_code, result.stdout) == (0, ""), result


def test_a_tracked_symlink_to_an_untracked_file_is_refused(tmp_path: Path) -> None:
    tree = committed_without(tmp_path)
    files = tree / "applications/shop/microservices/billing/files"
    (files / "local.txt").write_text("not committed\n")
    (files / "link.txt").symlink_to("local.txt")
    git(tree, "add", str(files / "link.txt"))
    result = run_line("validate", "--tracked-only", tree)
    assert result.exit_code == 1, result
    assert result.stdout == (
        "applications/shop/microservices/billing/files/link.txt:1:1: error: a symlink to"
        " applications/shop/microservices/billing/files/local.txt, which git does not track: git does"
        " not commit it, so it is never read as input (the tree CI renders has no such file)\n"
    )


def test_tracked_only_needs_a_git_work_tree(tmp_path: Path) -> None:
    tree = tmp_path / "gitops"
    shutil.copytree(BASE, tree)
    result = run_line("validate", "--tracked-only", tree, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.exit_code == 2, result
    assert result.stderr.startswith(
        "aigonix-render: error: --tracked-only needs the tree in a git work tree ("
    )


def test_pre_commit_fails_on_a_secrets_file_never_added(hooked_tree: Path, pre_commit_home: Path) -> None:
    git(hooked_tree, "rm", "--cached", "--quiet", PROD_SECRETS)
    git(hooked_tree, "commit", "--quiet", "--message", "forgot the secrets")
    assert (hooked_tree / PROD_SECRETS).is_file()
    result = pre_commit(hooked_tree, pre_commit_home)
    assert result.exit_code == 1, str(result)
    assert re.search(r"aigonix-render validate\.+Failed", result.stdout), str(result)
    assert MISSING.strip() in result.stdout.splitlines(), str(result)
    git(hooked_tree, "add", PROD_SECRETS)
    result = pre_commit(hooked_tree, pre_commit_home)
    assert result.exit_code == 0, str(result)
