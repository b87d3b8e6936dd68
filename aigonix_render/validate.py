"""Stage 2, validate: JSON Schema and the platform's rules → a sorted list of problems.

Needs no keys and no network. Schema problems carry the position of the offending node;
the platform rules (``rules``) run only on documents whose shape the schema accepted.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from aigonix_render import rules
from aigonix_render.load import Document, Tree
from aigonix_render.problems import Problem, sort_problems
from aigonix_render.schema_files import load_schema


def validate_tree(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    valid: set[str] = set()
    for document, kind in _documents(tree):
        found = list(schema_problems(document, kind))
        problems.extend(found)
        if not found:
            valid.add(document.path)
    problems.extend(rules.check(tree, valid))
    return sort_problems(problems)


def _documents(tree: Tree) -> Iterator[tuple[Document, str]]:
    if tree.customer is not None:
        yield tree.customer, "Customer"
    for app in tree.applications:
        yield app.document, "Application"
        for ms in app.microservices:
            yield ms.document, "Microservice"


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


def schema_problems(document: Document, kind: str) -> Iterator[Problem]:
    for error in _validator(kind).iter_errors(document.data):
        yield from _describe(document, error)


def _describe(document: Document, error: ValidationError) -> Iterator[Problem]:
    path = list(error.absolute_path)
    keyword = error.validator
    if keyword == "additionalProperties":
        yield from _unknown_keys(document, path, error)
    elif keyword == "required":
        for name in error.validator_value:
            if name not in error.instance:
                yield document.problem(path, f"missing required key {name!r}", at_key=bool(path))
    elif "propertyNames" in error.relative_schema_path:
        title = error.schema.get("title", "name") if isinstance(error.schema, dict) else "name"
        yield document.problem([*path, error.instance], f"{error.instance!r} is not a valid {title}", at_key=True)
    elif keyword == "uniqueItems":
        yield document.problem(_second_occurrence(path, error.instance), "listed twice")
    else:
        yield document.problem(path, _message(document, path, error))


def _unknown_keys(document: Document, path: list[Any], error: ValidationError) -> Iterator[Problem]:
    known = sorted(error.schema.get("properties", {}))
    for key in sorted(set(error.instance) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(known)})"
        yield document.problem([*path, key], f"unknown key {key!r}{hint}", at_key=True)


def _second_occurrence(path: list[Any], items: list[Any]) -> list[Any]:
    for index, item in enumerate(items):
        if item in items[:index]:
            return [*path, index]
    return path


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _message(document: Document, path: list[Any], error: ValidationError) -> str:
    keyword, expected, schema = error.validator, error.validator_value, error.schema
    title = schema.get("title", "value") if isinstance(schema, dict) else "value"
    if keyword == "type":
        return _type_message(document, path, expected)
    if keyword == "const":
        return f"must be {expected!r}"
    if keyword == "enum":
        return "must be one of " + ", ".join(str(v) for v in expected)
    if keyword == "pattern":
        return f"{error.instance!r} is not a valid {title}"
    if keyword in ("minItems", "minProperties", "minLength") and expected == 1:
        return "must not be empty"
    if keyword == "maxLength":
        return f"longer than {expected} characters"
    if keyword == "minimum":
        return f"must be at least {expected}"
    if keyword == "maximum":
        return f"must be at most {expected}"
    return str(error.message)


def _type_message(document: Document, path: list[Any], expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if "string" in names:
        token = document.token(path)
        if token and token[0] not in "[{|>-":
            return f"must be {wanted}: quote it as \"{token}\" so YAML keeps it as written"
    return f"must be {wanted}"
