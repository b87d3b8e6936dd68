"""Stage 2, validate: JSON Schema and the platform's rules → a sorted list of problems.

Needs no keys and no network. Schema problems carry the position of the offending node;
the platform rules (``rules``) run on documents whose shape the schema accepted, and the
rules that read one field each also on the parts of a microservice it accepted.

A document first meets ``_fast_check``: the schema compiled into plain functions that say
only "valid" or "ask jsonschema". jsonschema walks each document keyword by keyword
through its reference resolver, which cost a third of validating a large tree; compiled,
the same answer costs a tenth of that, and a valid tree never imports jsonschema. Every
document the fast check does not pass, and every schema with a keyword it does not know,
goes to jsonschema, which finds and describes the problems as before.
"""

from __future__ import annotations

import copy
import difflib
import numbers
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigonix_render.foundation import Problem, load_schema, sort_problems
from aigonix_render.load import Document, Tree, load_tree
from aigonix_render.validate import rules

if TYPE_CHECKING:  # jsonschema loads only when a document needs it
    from jsonschema.exceptions import ValidationError


@dataclass(frozen=True)
class Validation:
    tree: Tree
    problems: list[Problem]


def validate_root(root: Path, exclude: tuple[Path, ...] = (), application: str | None = None) -> Validation:
    """Load and validate the tree at ``root``: every problem, sorted. With ``application``,
    only the part of the tree that rendering it needs (``load.load_tree``): what is loaded is
    validated, schema and rules; checks across the whole tree are left to a full run."""
    tree, load_problems = load_tree(root, exclude, application=application)
    return Validation(tree, sort_problems([*load_problems, *validate_tree(tree)]))


def validate_tree(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    valid: set[str] = set()
    for document, kind in _documents(tree):
        passes = _fast_check(kind)
        errors = [] if passes is not None and passes(document.data) else _schema_errors(kind, document)
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


def _schema_errors(kind: str, document: Document) -> list[ValidationError]:
    return list(_validator(kind).iter_errors(document.data))


@cache
def _validator(kind: str) -> Any:
    """JSON Schema with one change: an integer is an int, never a float such as 80.0 or
    ``!!float 2`` (JSON Schema's own "integer" takes them, and they would render as floats)."""
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, i: _TYPES["integer"](i))
    strict = validators.extend(Draft202012Validator, type_checker=checker)  # type: ignore[no-untyped-call]
    return strict(load_schema(kind))


# --- the fast check -------------------------------------------------------------------

Check = Callable[[Any], bool]

_TYPES: dict[str, Check] = {
    "string": lambda i: isinstance(i, str),
    "integer": lambda i: isinstance(i, int) and not isinstance(i, bool),
    "number": lambda i: isinstance(i, numbers.Number) and not isinstance(i, bool),
    "boolean": lambda i: isinstance(i, bool),
    "object": lambda i: isinstance(i, dict),
    "array": lambda i: isinstance(i, list),
    "null": lambda i: i is None,
}
"""JSON Schema's types as jsonschema checks them, "integer" as ``_validator`` does."""
_ANNOTATIONS = frozenset(
    ("$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format")
)
_OBJECT = frozenset(("properties", "additionalProperties", "required", "minProperties", "propertyNames"))
_ARRAY = frozenset(("items", "minItems", "maxItems", "uniqueItems"))
_STRING = frozenset(("minLength", "maxLength", "pattern"))
_NUMBER = frozenset(("minimum", "maximum"))
_KNOWN = _ANNOTATIONS | _OBJECT | _ARRAY | _STRING | _NUMBER | {"type", "$ref", "const", "enum"}


class _Unknown(Exception):
    """A keyword or value the fast check does not handle: jsonschema checks every document."""


@cache
def _fast_check(kind: str) -> Check | None:
    """The schema of ``kind`` as one function: True only for a document jsonschema finds no
    fault in (False: ask jsonschema); None when the schema uses what it does not handle.
    ``format`` is an annotation here as in ``_validator``, which has no format checker."""
    schema = load_schema(kind)
    try:
        return _Compiler(schema).compile(schema)
    except _Unknown:
        return None


class _Compiler:
    """Compiles the keywords this project's schemas use; ``$ref`` only within the schema."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if isinstance(schema, bool):
            return lambda _: schema
        if not isinstance(schema, dict) or not _KNOWN.issuperset(schema):
            raise _Unknown
        if "$id" in schema and schema is not self.root:
            raise _Unknown  # a nested resource would change what its references mean
        checks = [self._type(schema["type"])] if "type" in schema else []
        checks += [self._ref(schema["$ref"])] if "$ref" in schema else []
        checks += [_strings_only([schema["const"]])] if "const" in schema else []
        checks += [_strings_only(schema["enum"])] if "enum" in schema else []
        checks += [self._object(schema)] if _OBJECT.intersection(schema) else []
        checks += [self._array(schema)] if _ARRAY.intersection(schema) else []
        checks += [_string(schema)] if _STRING.intersection(schema) else []
        checks += [_number(schema)] if _NUMBER.intersection(schema) else []
        return _all(checks)

    def _type(self, names: Any) -> Check:
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not set(names) <= set(_TYPES):
            raise _Unknown
        checks = [_TYPES[n] for n in names]
        return checks[0] if len(checks) == 1 else lambda i: any(check(i) for check in checks)

    def _ref(self, pointer: Any) -> Check:
        """``#`` or ``#/$defs/<name>``, compiled once (and so recursive references work)."""
        if pointer not in self.refs:
            target: list[Check] = []
            self.refs[pointer] = lambda i: target[0](i)
            target.append(self.compile(self._resolve(pointer)))
        return self.refs[pointer]

    def _resolve(self, pointer: Any) -> Any:
        if pointer == "#":
            return self.root
        defs = self.root.get("$defs", {})
        name = pointer.removeprefix("#/$defs/") if isinstance(pointer, str) else None
        if name is None or name == pointer or "/" in name or "~" in name or name not in defs:
            raise _Unknown
        return defs[name]

    def _object(self, schema: dict[str, Any]) -> Check:
        properties = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        extra = self.compile(schema["additionalProperties"]) if "additionalProperties" in schema else None
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        required = tuple(schema.get("required", ()))
        least = schema.get("minProperties", 0)

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            if len(instance) < least or any(key not in instance for key in required):
                return False
            for key, value in instance.items():
                value_check = properties.get(key, extra)
                if value_check is not None and not value_check(value):
                    return False
                if names is not None and not names(key):
                    return False
            return True

        return check

    def _array(self, schema: dict[str, Any]) -> Check:
        items = self.compile(schema["items"]) if "items" in schema else _anything
        least, most = schema.get("minItems", 0), schema.get("maxItems")
        unique = schema.get("uniqueItems", False)

        def check(instance: Any) -> bool:
            if not isinstance(instance, list):
                return True
            if len(instance) < least or (most is not None and len(instance) > most):
                return False
            if unique and not _unique_strings(instance):
                return False
            return all(items(item) for item in instance)

        return check


def _anything(_: Any) -> bool:
    return True


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    return lambda i: all(check(i) for check in checks)


def _strings_only(values: Any) -> Check:
    """``const``/``enum`` of strings: equal to one (jsonschema's equality is plain ``==``
    when either side is a string); other values are left to jsonschema."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Unknown
    allowed = frozenset(values)
    return lambda i: isinstance(i, str) and i in allowed


def _unique_strings(items: list[Any]) -> bool:
    """Items all strings and no two equal; anything else is jsonschema's to judge."""
    return all(isinstance(i, str) for i in items) and len(set(items)) == len(items)


def _string(schema: dict[str, Any]) -> Check:
    least, most = schema.get("minLength", 0), schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None

    def check(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True
        if len(instance) < least or (most is not None and len(instance) > most):
            return False
        return pattern is None or pattern.search(instance) is not None

    return check


def _number(schema: dict[str, Any]) -> Check:
    least, most = schema.get("minimum"), schema.get("maximum")

    def check(instance: Any) -> bool:
        if not _TYPES["number"](instance):
            return True
        return (least is None or instance >= least) and (most is None or instance <= most)

    return check


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
