"""The preview comment updates only a comment the token's own identity wrote.

Anyone who can comment on a pull request can write a comment that starts with the marker;
``pr_comment`` must leave it alone and create its own. The identity is ``GET /user``'s login
for a user's token; GitHub refuses ``GET /user`` (403) to installation tokens such as the
Actions ``GITHUB_TOKEN``, whose comments are written by ``github-actions[bot]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_github import GitHub, serving

from aigonix_render.commands.review_format import MARKER


@pytest.fixture
def github() -> Iterator[GitHub]:
    with serving(GitHub()) as state:
        yield state


def post(github: GitHub, tmp_path: Path, text: str, *flags: str) -> subprocess.CompletedProcess[str]:
    body = tmp_path / "comment.md"
    body.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env |= {"GITHUB_API_URL": github.url, "GITHUB_TOKEN": "t0ken"}
    argv = [sys.executable, "-m", "aigonix_render.commands.pr_comment", "--repository", "o/r"]
    argv += ["--pull-request", "7", "--body-file", str(body), *flags]
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)


PLANTED = {"id": 1, "body": f"{MARKER}\nplanted by someone else", "user": {"login": "mallory"}}


@pytest.mark.parametrize("login", [None, "alice"], ids=["actions token", "user token"])
def test_a_marked_comment_by_another_user_is_left_alone(
    github: GitHub, tmp_path: Path, login: str | None
) -> None:
    github.login = login
    github.comments.setdefault(7, []).append(dict(PLANTED))
    result = post(github, tmp_path, f"{MARKER}\npreview\n")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "created comment 1001 on #7: https://gh.test/c/1001\n",
        "",
    )
    assert github.comments[7][0] == PLANTED
    assert github.comments[7][1]["body"] == f"{MARKER}\npreview\n"
    assert ("PATCH", "/repos/o/r/issues/comments/1") not in github.asked()


@pytest.mark.parametrize("login", [None, "alice"], ids=["actions token", "user token"])
def test_the_tokens_own_comment_is_updated_after_a_planted_one(
    github: GitHub, tmp_path: Path, login: str | None
) -> None:
    github.login = login
    own = {"id": 5, "body": f"{MARKER}\nold", "user": {"login": login or "github-actions[bot]"}}
    github.comments[7] = [dict(PLANTED), own]
    result = post(github, tmp_path, f"{MARKER}\nnew\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "updated comment 5 on #7\n", "")
    assert github.bodies(7) == [PLANTED["body"], f"{MARKER}\nnew\n"]
    assert github.asked().count(("GET", "/user")) == 1


def test_update_only_never_takes_over_a_planted_comment(github: GitHub, tmp_path: Path) -> None:
    github.comments.setdefault(7, []).append(dict(PLANTED))
    result = post(github, tmp_path, f"{MARKER}\nnothing changed\n", "--update-only")
    assert result.stdout == "no preview comment on #7 yet and nothing changed: none created\n"
    assert github.comments[7] == [PLANTED]


def test_an_app_token_names_its_author(github: GitHub, tmp_path: Path) -> None:
    github.comments.setdefault(7, []).append(
        {"id": 9, "body": f"{MARKER}\nold", "user": {"login": "my-app[bot]"}}
    )
    result = post(github, tmp_path, f"{MARKER}\nnew\n", "--author", "my-app[bot]")
    assert (result.returncode, result.stdout) == (0, "updated comment 9 on #7\n"), result.stderr
    assert ("GET", "/user") not in github.asked()


def test_a_failing_identity_lookup_is_an_error_without_the_token(github: GitHub, tmp_path: Path) -> None:
    github.answer = lambda method, path, payload: (  # type: ignore[method-assign]
        (401, {"message": "Bad credentials"}) if path == "/user" else (200, [dict(PLANTED)])
    )
    result = post(github, tmp_path, f"{MARKER}\nnew\n")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.startswith(
        "aigonix-render: error: GitHub answered 401 to GET /user: Bad credentials"
    )
    assert "t0ken" not in result.stderr
