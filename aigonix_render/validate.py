"""Stage 2, validate: JSON Schema and the platform's rules → a sorted list of problems.

Needs no keys and no network. Schema problems carry the position of the offending node;
the platform rules (``rules``) run on documents whose shape the schema accepted, and the
rules that read one field each also on the parts of a microservice it accepted.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from aigonix_render import rules
from aigonix_render.documents import Document
from aigonix_render.load import Tree, load_tree
from aigonix_render.problems import Problem, sort_problems
from aigonix_render.schema_files import load_schema


@dataclass(frozen=True)
class Validation:
    tree: Tree
    problems: list[Problem]


def validate_root(root: Path, exclude: tuple[Path, ...] = ()) -> Validation:
    """Load and validate the tree at ``root``: every problem, sorted."""
    tree, load_problems = load_tree(root, exclude)
    return Validation(tree, sort_problems([*load_problems, *validate_tree(tree)]))


def validate_tree(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    valid: set[str] = set()
    for document, kind in _documents(tree):
        errors = list(_validator(kind).iter_errors(document.data))
        problems.extend(problem for error in errors for problem in _describe(document, error))
        if not errors:
            valid.add(document.path)
        if kind == "Microservice":
            accepted = replace(document, data=_accepted_part(document.data, errors)) if errors else document
            problems.extend(rules.field_checks(accepted))
    problems.extend(rules.check(tree, valid))
    return sort_problems(problems)


def _accepted_part(data: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any]:
    """``data`` without the nodes the schema refused, so a rule that reads one field may
    trust its shape. A missing required key takes nothing away; an unknown key or a bad
    mapping key only itself; any other failure the node it is about."""
    accepted = copy.deepcopy(data)
    for failure in map(_Failure.of, errors):
        if failure.keyword == "additionalProperties":
            for key in _unknown(failure):
                _drop(accepted, [*failure.path, key])
        elif "propertyNames" in failure.schema_path:
            _drop(accepted, [*failure.path, failure.instance])
        elif failure.keyword != "required":
            if not failure.path:
                return {}
            _drop(accepted, failure.path)
    return accepted


def _drop(data: Any, path: list[Any]) -> None:
    """Remove the node at ``path``; a list item becomes None, so later items keep their
    index (and so their position in problems)."""
    parent, last = _node_at(data, path[:-1]), path[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = None


def _node_at(data: Any, path: list[Any]) -> Any:
    try:
        for part in path:
            data = data[part]
    except (KeyError, IndexError, TypeError):
        return None
    return data


def _documents(tree: Tree) -> Iterator[tuple[Document, str]]:
    if tree.customer is not None:
        yield tree.customer, "Customer"
    for app in tree.applications:
        yield app.document, "Application"
        for ms in app.microservices:
            yield ms.document, "Microservice"


@cache
def _validator(kind: str) -> Any:
    """JSON Schema with one change: an integer is an int, never a float such as 80.0 or
    ``!!float 2`` (JSON Schema's own "integer" takes them, and they would render as floats)."""
    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
    strict = validators.extend(Draft202012Validator, type_checker=checker)  # type: ignore[no-untyped-call]
    return strict(load_schema(kind))


def _strict_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


@dataclass(frozen=True)
class _Failure:
    """The parts of a jsonschema error that describe it, typed loosely as they are."""

    path: list[Any]
    keyword: str
    instance: Any
    expected: Any
    schema: Any
    schema_path: list[Any]
    message: str

    @classmethod
    def of(cls, error: ValidationError) -> _Failure:
        return cls(
            list(error.absolute_path),
            str(error.validator),
            error.instance,
            error.validator_value,
            error.schema,
            list(error.relative_schema_path),
            error.message,
        )

    @property
    def title(self) -> str:
        return str(self.schema.get("title", "value")) if isinstance(self.schema, dict) else "value"

    @property
    def rule(self) -> str:
        """The schema's own description of a constrained value, as ': <description>'."""
        description = self.schema.get("description") if isinstance(self.schema, dict) else None
        return f": {description}" if description else ""


def _describe(document: Document, error: ValidationError) -> Iterator[Problem]:
    failure = _Failure.of(error)
    path, instance = failure.path, failure.instance
    if failure.keyword == "additionalProperties":
        yield from _unknown_keys(document, failure)
    elif failure.keyword == "required":
        for name in failure.expected:
            if name not in instance and not _misspelt(name, instance, failure.schema):
                yield document.problem(path, f"missing required key {name!r}", at_key=bool(path))
    elif "propertyNames" in failure.schema_path:
        message = f"{instance!r} is not a valid {failure.title}{failure.rule}"
        yield document.problem([*path, instance], message, at_key=True)
    elif failure.keyword == "uniqueItems":
        yield document.problem(_second_occurrence(path, instance), "listed twice")
    else:
        yield document.problem(path, _message(document, failure))


def _misspelt(name: str, instance: Any, schema: Any) -> bool:
    """A missing key that an unknown key nearly spells: that key's problem says it all."""
    known = schema.get("properties", {}) if isinstance(schema, dict) else {}
    unknown = [k for k in instance if k not in known]
    return bool(difflib.get_close_matches(name, unknown, n=1))


def _unknown_keys(document: Document, failure: _Failure) -> Iterator[Problem]:
    known = sorted(failure.schema.get("properties", {}))
    for key in _unknown(failure):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(known)})"
        yield document.problem([*failure.path, key], f"unknown key {key!r}{hint}", at_key=True)


def _unknown(failure: _Failure) -> list[str]:
    """The keys an ``additionalProperties: false`` failure is about."""
    return sorted(set(failure.instance) - set(failure.schema.get("properties", {})))


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


def _message(document: Document, failure: _Failure) -> str:
    keyword, expected = failure.keyword, failure.expected
    if keyword == "type":
        return _type_message(document, failure.path, expected)
    if keyword == "const":
        return f"must be {expected!r}, not {failure.instance!r}"
    if keyword == "enum":
        return f"must be one of {', '.join(str(v) for v in expected)}, not {failure.instance!r}"
    if keyword == "pattern":
        return f"{failure.instance!r} is not a valid {failure.title}{failure.rule}"
    if keyword in ("minItems", "minProperties", "minLength") and expected == 1:
        return "must not be empty"
    if keyword == "maxLength":
        return f"longer than {expected} characters"
    if keyword == "minimum":
        return f"must be at least {expected}"
    if keyword == "maximum":
        return f"must be at most {expected}"
    return failure.message


def _type_message(document: Document, path: list[Any], expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if "string" in names:
        token = document.token(path)
        if token and token[0] not in "[{|>-":
            return f'must be {wanted}: quote it as "{token}" so YAML keeps it as written'
    return f"must be {wanted}"
