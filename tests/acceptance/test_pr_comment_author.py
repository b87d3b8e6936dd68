"""The preview comment updates only a comment the token's own identity wrote.

Anyone who can comment on a pull request can write a comment that starts with the marker;
``pr_comment`` must leave it alone and create its own. The identity is ``GET /user``'s login
for a user's token; GitHub refuses ``GET /user`` (403) to installation tokens such as the
Actions ``GITHUB_TOKEN``, whose comments are written by ``github-actions[bot]``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aigonix_render.commands.review_format import MARKER

INTEGRATION = {"message": "Resource not accessible by integration"}


@dataclass
class FakeGitHub:
    """Issue comments of o/r; ``login`` is GET /user's answer (None: an installation token)."""

    login: str | None = None
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str, payload: Any) -> tuple[int, Any]:
        if (method, path) == ("GET", "/user"):
            return (200, {"login": self.login, "type": "User"}) if self.login else (403, INTEGRATION)
        if method == "GET" and re.fullmatch(r"/repos/o/r/issues/7/comments\?per_page=100&page=1", path):
            return 200, self.comments
        if (method, path) == ("POST", "/repos/o/r/issues/7/comments"):
            author = self.login or "github-actions[bot]"
            comment = {"id": 2000 + len(self.comments), "body": payload["body"], "user": {"login": author}}
            self.comments.append(comment)
            return 201, comment
        patched = re.fullmatch(r"/repos/o/r/issues/comments/(\d+)", path)
        if method == "PATCH" and patched:
            for comment in self.comments:
                if comment["id"] == int(patched.group(1)):
                    comment["body"] = payload["body"]
                    return 200, comment
        return 404, {"message": "Not Found"}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else None
            state.requests.append((self.command, self.path))
            status, answer = state.answer(self.command, self.path, payload)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def post(github: FakeGitHub, tmp_path: Path, text: str, *flags: str) -> subprocess.CompletedProcess[str]:
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
    github: FakeGitHub, tmp_path: Path, login: str | None
) -> None:
    github.login = login
    github.comments.append(dict(PLANTED))
    result = post(github, tmp_path, f"{MARKER}\npreview\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "created comment 2001 on #7: \n", "")
    assert github.comments[0] == PLANTED
    assert github.comments[1]["body"] == f"{MARKER}\npreview\n"
    assert ("PATCH", "/repos/o/r/issues/comments/1") not in github.requests


@pytest.mark.parametrize("login", [None, "alice"], ids=["actions token", "user token"])
def test_the_tokens_own_comment_is_updated_after_a_planted_one(
    github: FakeGitHub, tmp_path: Path, login: str | None
) -> None:
    github.login = login
    own = {"id": 5, "body": f"{MARKER}\nold", "user": {"login": login or "github-actions[bot]"}}
    github.comments += [dict(PLANTED), own]
    result = post(github, tmp_path, f"{MARKER}\nnew\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "updated comment 5 on #7\n", "")
    assert [c["body"] for c in github.comments] == [PLANTED["body"], f"{MARKER}\nnew\n"]
    assert github.requests.count(("GET", "/user")) == 1


def test_update_only_never_takes_over_a_planted_comment(github: FakeGitHub, tmp_path: Path) -> None:
    github.comments.append(dict(PLANTED))
    result = post(github, tmp_path, f"{MARKER}\nnothing changed\n", "--update-only")
    assert result.stdout == "no preview comment on #7 yet and nothing changed: none created\n"
    assert github.comments == [PLANTED]


def test_an_app_token_names_its_author(github: FakeGitHub, tmp_path: Path) -> None:
    github.comments.append({"id": 9, "body": f"{MARKER}\nold", "user": {"login": "my-app[bot]"}})
    result = post(github, tmp_path, f"{MARKER}\nnew\n", "--author", "my-app[bot]")
    assert (result.returncode, result.stdout) == (0, "updated comment 9 on #7\n"), result.stderr
    assert ("GET", "/user") not in github.requests


def test_a_failing_identity_lookup_is_an_error_without_the_token(github: FakeGitHub, tmp_path: Path) -> None:
    github.answer = lambda method, path, payload: (  # type: ignore[method-assign]
        (401, {"message": "Bad credentials"}) if path == "/user" else (200, [dict(PLANTED)])
    )
    result = post(github, tmp_path, f"{MARKER}\nnew\n")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.startswith(
        "aigonix-render: error: GitHub answered 401 to GET /user: Bad credentials"
    )
    assert "t0ken" not in result.stderr
