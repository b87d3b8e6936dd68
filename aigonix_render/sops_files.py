"""Checks of SOPS-encrypted input files that need no key: metadata and key names only.

Values are never read into a message: a plaintext file's values could be real secrets.
"""

from __future__ import annotations

from collections.abc import Iterator

from aigonix_render.load import Document
from aigonix_render.problems import Problem


def check(document: Document, expected: tuple[str, ...], declared_in: Document | None) -> Iterator[Problem]:
    metadata = document.data.get("sops")
    if not isinstance(metadata, dict) or "mac" not in metadata:
        yield Problem(
            document.path,
            1,
            1,
            f"not encrypted with sops: encrypt it with `sops encrypt -i {document.path}`",
        )
        return
    keys = [k for k in document.data if k != "sops"]
    for key in keys:
        value = document.data[key]
        if not (isinstance(value, str) and value.startswith("ENC[") and value.endswith("]")):
            yield document.problem(
                [key], f"the value of {key} is not encrypted (re-encrypt the whole file with sops)"
            )
        elif not value.endswith(",type:str]"):
            yield document.problem([key], f"the value of {key} must be a string: quote it in `sops edit`")
    for key in keys:
        if key not in expected:
            where = f"the secrets of {declared_in.path}" if declared_in else "this file"
            yield document.problem(
                [key],
                f"{key!r} is not expected in {where} (expected: {', '.join(expected)})",
                at_key=True,
            )
    yield from _missing(document, expected, keys, declared_in)


def _missing(
    document: Document, expected: tuple[str, ...], keys: list[str], declared_in: Document | None
) -> Iterator[Problem]:
    for index, name in enumerate(expected):
        if name in keys:
            continue
        if declared_in is not None:
            yield declared_in.problem(["secrets", index], f"{name!r} is missing from {document.path}")
        else:
            yield Problem(document.path, 1, 1, f"{name!r} is missing")
