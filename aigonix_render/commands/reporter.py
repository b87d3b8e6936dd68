"""Reporters turn problems into text for people, machines or GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from aigonix_render.foundation import Problem

FORMATS = ("text", "json", "github")


def text(problems: list[Problem]) -> str:
    return "".join(p.text() + "\n" for p in problems)


def as_json(problems: list[Problem]) -> str:
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


def github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands, so problems show on the lines of the pull request."""
    return "".join(
        f"::{p.severity.value} file={_property(p.file)},line={p.line},col={p.column}::{_data(p.message)}\n"
        for p in problems
    )


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, Callable[[list[Problem]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
}
