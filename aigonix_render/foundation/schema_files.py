"""The JSON Schemas of the three kinds, shipped inside the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from aigonix_render.foundation.errors import UsageError

KINDS = ("Customer", "Application", "Microservice")


def schema_text(kind: str) -> str:
    canonical = _canonical(kind)
    package = resources.files("aigonix_render.schemas")
    return package.joinpath(f"{canonical.lower()}.schema.json").read_text(encoding="utf-8")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text(kind))
    return schema


def _canonical(kind: str) -> str:
    for known in KINDS:
        if known.lower() == kind.lower():
            return known
    raise UsageError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
