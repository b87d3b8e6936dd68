"""The JSON Schema of a kind, compiled into plain functions that say only "valid" or "ask
jsonschema".

jsonschema walks each document keyword by keyword through its reference resolver, which
cost a third of validating a large tree; compiled, the same answer costs a tenth of that,
and a valid tree never imports jsonschema. Every document the fast check does not pass,
and every schema with a keyword it does not know, goes to jsonschema (``schema``), which
finds and describes the problems as before.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from aigonix_render.foundation import load_schema

Check = Callable[[Any], bool]

TYPES: dict[str, Check] = {
    "string": lambda i: isinstance(i, str),
    "integer": lambda i: isinstance(i, int) and not isinstance(i, bool),
    "number": lambda i: isinstance(i, numbers.Number) and not isinstance(i, bool),
    "boolean": lambda i: isinstance(i, bool),
    "object": lambda i: isinstance(i, dict),
    "array": lambda i: isinstance(i, list),
    "null": lambda i: i is None,
}
"""JSON Schema's types as jsonschema checks them, "integer" as ``schema._validator`` does."""
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
def fast_check(kind: str) -> Check | None:
    """The schema of ``kind`` as one function: True only for a document jsonschema finds no
    fault in (False: ask jsonschema); None when the schema uses what it does not handle.
    ``format`` is an annotation here as in ``schema._validator``, which has no format checker."""
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
        if not isinstance(names, list) or not set(names) <= set(TYPES):
            raise _Unknown
        checks = [TYPES[n] for n in names]
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
        if not TYPES["number"](instance):
            return True
        return (least is None or instance >= least) and (most is None or instance <= most)

    return check
