"""Reporters turn problems into text for people, machines or GitHub annotations.

A problem's file is relative to the tree's root. Given the ``Places`` of the run, text
shows it relative to the current folder and GitHub annotations relative to the
repository's top (so they land on their files when the tree is a subfolder); JSON keeps
it relative to the root. Without ``places`` every format shows the root-relative path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Protocol

from aigonix_render.commands.places import Places
from aigonix_render.foundation import Problem, record

FORMATS = ("text", "json", "github")


def chosen(format_: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The format asked for; else github inside GitHub Actions, text elsewhere."""
    return format_ or ("github" if environ.get("GITHUB_ACTIONS") == "true" else "text")


def text(problems: list[Problem], places: Places | None = None) -> str:
    return "".join(_located(p, places.shown if places else None).text() + "\n" for p in problems)


def as_json(problems: list[Problem], places: Places | None = None) -> str:
    items = [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "severity": p.severity.value,
            "message": p.message,
        }
        for p in problems
    ]
    return json.dumps({"problems": items}, indent=2, ensure_ascii=False) + "\n"


def github(problems: list[Problem], places: Places | None = None) -> str:
    """GitHub Actions workflow commands, so problems show on the lines of the pull request."""
    where = places.annotated if places else (lambda file: file)
    shown = [_located(p, where) for p in problems]
    return "".join(
        f"::{p.severity.value} file={_property(p.file)},line={p.line},col={p.column}::{_data(p.message)}\n"
        for p in shown
    )


def _located(problem: Problem, where: Callable[[str], str] | None) -> Problem:
    if where is None:
        return problem
    shown = where(problem.file)
    return Problem(shown, problem.line, problem.column, _command_on(problem, shown), problem.severity)


def _command_on(problem: Problem, shown: str) -> str:
    """A command the message gives for its own file (`` `sops encrypt -i FILE` ``) names the
    file as the line shows it, so that it runs from the folder the user is in."""
    return problem.message.replace(f" {problem.file}`", f" {shown}`")


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


class Reporter(Protocol):
    def __call__(self, problems: list[Problem], places: Places | None = None) -> str: ...


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "json": as_json,
    "github": github,
}


@record
class Report:
    """How one run reports its problems: the format and the places paths are shown from."""

    format: str
    places: Places | None = None

    def __call__(self, problems: list[Problem]) -> str:
        return REPORTERS[self.format](problems, self.places)
