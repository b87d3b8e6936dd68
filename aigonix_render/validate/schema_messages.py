"""jsonschema's errors → problems at the offending node, with messages in the tree's terms.

Unknown keys name the key they nearly spell (or the keys allowed), a missing key is not
reported twice when an unknown key nearly spells it, a wrong type says how to quote a value
YAML read as something else, and a constrained value quotes the schema's description.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from aigonix_render.foundation import Problem, record
from aigonix_render.load import Document

if TYPE_CHECKING:  # jsonschema loads only when a document needs it
    from jsonschema.exceptions import ValidationError


@record
class Failure:
    """The parts of a jsonschema error that describe it, typed loosely as they are."""

    path: list[Any]
    keyword: str
    instance: Any
    expected: Any
    schema: Any
    schema_path: list[Any]
    message: str

    @classmethod
    def of(cls, error: ValidationError) -> Failure:
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


def describe(document: Document, error: ValidationError) -> Iterator[Problem]:
    failure = Failure.of(error)
    path, instance = failure.path, failure.instance
    if failure.keyword == "additionalProperties":
        yield from _unknown_key_problems(document, failure)
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


def _unknown_key_problems(document: Document, failure: Failure) -> Iterator[Problem]:
    known = sorted(failure.schema.get("properties", {}))
    for key in unknown_keys(failure):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(known)})"
        yield document.problem([*failure.path, key], f"unknown key {key!r}{hint}", at_key=True)


def unknown_keys(failure: Failure) -> list[str]:
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


def _message(document: Document, failure: Failure) -> str:
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
