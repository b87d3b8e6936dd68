"""Post the preview of ``diff --base`` as one pull request comment, or update it.

The Action's ``mode: preview`` runs ``python -m aigonix_render.commands.pr_comment``. A pull request
keeps one preview: the comment whose first line is the hidden marker is edited in place,
so the conversation does not fill up with outdated previews, but only a comment the token's
own identity wrote (``token_login``): a marked comment by anyone else is left alone. Only the standard library
(``urllib.request``), so it runs wherever the Action's Python runs, without ``gh``.

The API is ``GITHUB_API_URL`` (GitHub Enterprise, or a test's local stand-in), the token
``GITHUB_TOKEN``: it goes only into the ``Authorization`` header and never into a message.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aigonix_render.commands.review_format import MARKER
from aigonix_render.foundation import EXIT_USAGE, AigonixError, UsageError, record

PAGE = 100
MAX_PAGES = 100  # 10,000 comments: far beyond any real pull request
TIMEOUT = 30


class CommentError(AigonixError):
    """GitHub refused or could not be reached (exit 3); ``status``: GitHub's HTTP answer, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@record
class Api:
    """The few GitHub REST calls needed, with the token kept out of every message."""

    url: str
    token: str

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                raise CommentError(self._refusal(method, path, error), error.code) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise CommentError(self._hide(f"{method} {path} failed: {reason}")) from None

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "User-Agent": "aigonix-render",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _refusal(self, method: str, path: str, error: urllib.error.HTTPError) -> str:
        try:
            message = str(json.loads(error.read()).get("message", ""))[:200]
        except (ValueError, AttributeError, OSError):
            message = ""
        hint = ""
        if error.code in (401, 403, 404):
            hint = " (the token needs pull-requests: write; pull requests from forks get a read-only token)"
        return self._hide(f"GitHub answered {error.code} to {method} {path}: {message or error.reason}{hint}")

    def _hide(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text


ACTIONS_BOT = "github-actions[bot]"


def token_login(api: Api) -> str:
    """The login the token comments as: ``GET /user`` for a user's token; GitHub refuses that
    call (403) to an installation token, such as the Actions ``GITHUB_TOKEN``, whose comments
    are written by ``github-actions[bot]``."""
    try:
        user = api.call("GET", "/user")
    except CommentError as error:
        if error.status == 403:  # "Resource not accessible by integration"
            return ACTIONS_BOT
        raise
    login = user.get("login") if isinstance(user, dict) else None
    if not isinstance(login, str) or not login:
        raise CommentError("GitHub answered GET /user without a login")
    return login


def _author(comment: Mapping[str, Any]) -> str:
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login.casefold() if isinstance(login, str) else ""


def find_comment(api: Api, repository: str, number: int, author: str | None = None) -> int | None:
    """The id of the first comment whose first line is the marker and that the token's own
    identity wrote (``author``, else ``token_login``, asked once a marked comment is seen).

    A marked comment by anyone else is left alone: whoever can comment could plant one."""
    for page in range(1, MAX_PAGES + 1):
        comments = api.call(
            "GET", f"/repos/{repository}/issues/{number}/comments?per_page={PAGE}&page={page}"
        )
        if not isinstance(comments, list):
            raise CommentError(f"GitHub answered the comments of #{number} with something else than a list")
        for comment in comments:
            if _first_line(str(comment.get("body") or "")) != MARKER:
                continue
            author = author or token_login(api)
            if _author(comment) == author.casefold():
                return int(comment["id"])
        if len(comments) < PAGE:
            return None
    return None


def publish(
    api: Api, repository: str, number: int, body: str, update_only: bool, author: str | None = None
) -> str:
    """Create or update the preview comment; with ``update_only`` never create one."""
    if _first_line(body) != MARKER:
        body = f"{MARKER}\n{body}"
    existing = find_comment(api, repository, number, author)
    if existing is not None:
        api.call("PATCH", f"/repos/{repository}/issues/comments/{existing}", {"body": body})
        return f"updated comment {existing} on #{number}"
    if update_only:
        return f"no preview comment on #{number} yet and nothing changed: none created"
    created = api.call("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    if not isinstance(created, dict) or "id" not in created:
        raise CommentError(f"GitHub did not answer the new comment on #{number} with its id")
    return f"created comment {created['id']} on #{number}: {created.get('html_url', '')}"


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aigonix_render.commands.pr_comment", description=__doc__)
    parser.add_argument(
        "--body-file", type=Path, required=True, help="the Markdown of diff --format markdown"
    )
    parser.add_argument("--repository", default=os.environ.get("GITHUB_REPOSITORY", ""), help="owner/name")
    parser.add_argument("--pull-request", type=int, required=True, help="the pull request's number")
    parser.add_argument(
        "--author",
        help="the login the token comments as, for a GitHub App's token (APP-SLUG[bot]); "
        "default: GET /user, or github-actions[bot] for the Actions GITHUB_TOKEN",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--create", action="store_true", help="update the preview, or create it (the default)")
    what.add_argument("--update-only", action="store_true", help="update the preview, but create none")
    return parser.parse_args(argv)


def _api(environ: Mapping[str, str]) -> Api:
    url = environ.get("GITHUB_API_URL") or "https://api.github.com"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise UsageError("GITHUB_API_URL must be an http(s) URL")
    token = environ.get("GITHUB_TOKEN", "")
    if not token:
        raise UsageError("GITHUB_TOKEN is empty: give the step the token (pull-requests: write)")
    return Api(url.rstrip("/"), token)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repository):
            raise UsageError(f"--repository {args.repository!r} is not owner/name")
        api = _api(os.environ)
        body = args.body_file.read_text(encoding="utf-8")
        print(publish(api, args.repository, args.pull_request, body, args.update_only, args.author))
    except AigonixError as error:
        print(f"aigonix-render: error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"aigonix-render: error: cannot read {args.body_file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
