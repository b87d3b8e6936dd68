"""A local stand-in for GitHub's REST API, as ``pr_comment`` uses it: the issue comments of
pull requests in repository o/r, ``GET /user``, and every request with its Authorization."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INTEGRATION = {"message": "Resource not accessible by integration"}


@dataclass
class GitHub:
    """``login`` is GET /user's answer (None: an installation token such as the Actions
    ``GITHUB_TOKEN``, which GitHub answers 403); ``refuse`` lists methods answered 403."""

    login: str | None = None
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    url: str = ""
    next_id: int = 1000

    def answer(self, method: str, path: str, payload: Any) -> tuple[int, Any]:
        if method in self.refuse:
            return 403, INTEGRATION
        if (method, path) == ("GET", "/user"):
            return (200, {"login": self.login, "type": "User"}) if self.login else (403, INTEGRATION)
        listed = re.fullmatch(r"/repos/o/r/issues/(\d+)/comments\?per_page=(\d+)&page=(\d+)", path)
        if method == "GET" and listed:
            number, size, page = map(int, listed.groups())
            return 200, self.comments.get(number, [])[(page - 1) * size : page * size]
        posted = re.fullmatch(r"/repos/o/r/issues/(\d+)/comments", path)
        if method == "POST" and posted:
            self.next_id += 1
            comment = {
                "id": self.next_id,
                "body": payload["body"],
                "html_url": f"https://gh.test/c/{self.next_id}",
                "user": {"login": self.login or "github-actions[bot]"},
            }
            self.comments.setdefault(int(posted.group(1)), []).append(comment)
            return 201, comment
        patched = re.fullmatch(r"/repos/o/r/issues/comments/(\d+)", path)
        if method == "PATCH" and patched:
            for comment in (c for cs in self.comments.values() for c in cs):
                if comment["id"] == int(patched.group(1)):
                    comment["body"] = payload["body"]
                    return 200, comment
        return 404, {"message": "Not Found"}

    def bodies(self, number: int) -> list[str]:
        return [str(c["body"]) for c in self.comments.get(number, [])]

    def asked(self) -> list[tuple[str, str]]:
        """Each request's method and path."""
        return [(method, path) for method, path, _ in self.requests]


def handler_for(github: GitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else None
            github.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
            status, answer = github.answer(self.command, self.path, payload)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read ``github.requests`` instead."""

    return Handler


@contextmanager
def serving(github: GitHub) -> Iterator[GitHub]:
    """``github`` answering on a free local port (``github.url``) for the block's duration."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(github))
    github.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield github
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
