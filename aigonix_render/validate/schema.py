"""Stage 2, validate: JSON Schema and the platform's rules → a sorted list of problems.

Needs no keys and no network. Schema problems carry the position of the offending node;
the platform rules (``rules``) run on documents whose shape the schema accepted, and the
rules that read one field each also on the parts of any document it accepted (so an
invalid tenant GUID does not hide that the application's name is not a DNS label).

A document first meets ``fast_schema.fast_check``: the schema compiled into plain
functions that say only "valid" or "ask jsonschema". Every document it does not pass goes
to jsonschema, whose errors ``schema_messages`` describes as problems.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigonix_render.foundation import Problem, load_schema, record, replace, sort_problems
from aigonix_render.load import Document, Tree, load_tree
from aigonix_render.validate import rules
from aigonix_render.validate.fast_schema import TYPES, fast_check
from aigonix_render.validate.schema_messages import Failure, describe, unknown_keys

if TYPE_CHECKING:  # jsonschema loads only when a document needs it
    from jsonschema.exceptions import ValidationError

    from aigonix_render.foundation import Question


# The rules that each read one field: they run on every document, on what the schema accepted.
_FIELD_CHECKS = {
    "Customer": rules.customer_field_checks,
    "Application": rules.application_field_checks,
    "Microservice": rules.field_checks,
}


@record
class Validation:
    tree: Tree
    problems: list[Problem]


def validate_root(
    root: Path,
    exclude: tuple[Path, ...] = (),
    application: str | None = None,
    tracked_only: bool = False,
    validated_before: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    git: Question | None = None,
) -> Validation:
    """Load and validate the tree at ``root``: every problem, sorted. With ``application``,
    only the part of the tree that rendering it needs (``load.load_tree``): what is loaded is
    validated, schema and rules; checks across the whole tree are left to a full run. With
    ``tracked_only``, a file git does not track counts as absent (``load.load_tree``). The
    application folders in ``validated_before`` (an incremental render's applications whose
    inputs a render with this code validated) are loaded without parsing their secrets and
    sealed files; what the load itself finds in them (refused, ignored or left-out files) is
    reported, and the rules that read the whole tree (unique names, ids and hosts, event
    horizons, roles, adoption) run on them, but neither their documents' own checks (schema,
    fields) nor one application's rules (``rules``: names, config files, secrets, sealed
    files), which depend only on the application's bytes and the customer file, both in
    the digest that says so (``load.ApplicationFolder.validated_before``). ``only`` and
    ``git``: as ``load.load_tree`` takes them."""
    tree, load_problems = load_tree(
        root,
        exclude,
        application=application,
        tracked_only=tracked_only,
        validated_before=validated_before,
        only=only,
        git=git,
    )
    return Validation(tree, sort_problems([*load_problems, *validate_tree(tree)]))


def validate_tree(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    valid: set[str] = set()
    for document, kind in _documents(tree):
        passes = fast_check(kind)
        errors = [] if passes is not None and passes(document.data) else _schema_errors(kind, document)
        problems.extend(problem for error in errors for problem in describe(document, error))
        if not errors:
            valid.add(document.path)
        accepted = replace(document, data=_accepted_part(document.data, errors)) if errors else document
        problems.extend(_FIELD_CHECKS[kind](accepted))
    valid.update(_validated_before(tree))
    problems.extend(rules.check(tree, valid))
    return sort_problems(problems)


def _validated_before(tree: Tree) -> Iterator[str]:
    """The manifests of the applications validated before: bytes that a render with this
    very code validated (``load.ApplicationFolder.validated_before``), taken as valid and
    checked only by the rules that read the whole tree."""
    for app in tree.applications:
        if app.validated_before:
            yield app.document.path
            yield from (ms.document.path for ms in app.microservices)


def _accepted_part(data: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any]:
    """``data`` without the nodes the schema refused, so a rule that reads one field may
    trust its shape. A missing required key takes nothing away; an unknown key or a bad
    mapping key only itself; any other failure the node it is about."""
    accepted = copy.deepcopy(data)
    for failure in map(Failure.of, errors):
        if failure.keyword == "additionalProperties":
            for key in unknown_keys(failure):
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
        if app.validated_before:  # validated before (``_validated_before``)
            continue
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

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, i: TYPES["integer"](i))
    strict = validators.extend(Draft202012Validator, type_checker=checker)  # type: ignore[no-untyped-call]
    return strict(load_schema(kind))
