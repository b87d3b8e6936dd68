"""The JSON Schemas of the three kinds, shipped inside the package."""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import import_module
from typing import Any

from aigonix_render.foundation.errors import UsageError

KINDS = ("Customer", "Application", "Microservice")


def package_folder(package: str) -> str:
    """The folder of one of aigonix-render's data packages (schemas, templates), where
    ``importlib.resources.files`` points: loading importlib.resources and its readers
    (``tempfile``, ``zipfile``) costs more than reading the files (every command's start-up)."""
    folder: str = import_module(package).__path__[0]
    return folder


def schema_text(kind: str) -> str:
    canonical = _canonical(kind)
    folder = package_folder("aigonix_render.schemas")
    with open(os.path.join(folder, f"{canonical.lower()}.schema.json"), encoding="utf-8") as file:
        return file.read()


@cache
def load_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text(kind))
    return schema


def _canonical(kind: str) -> str:
    for known in KINDS:
        if known.lower() == kind.lower():
            return known
    raise UsageError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
