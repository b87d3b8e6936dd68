"""The compiled schema check never passes a document jsonschema finds a fault in.

``fast_schema.fast_check`` answers "valid" or "ask jsonschema": passing a faulty document
would hide its problems. Checked on every document of the test trees and of the invalid
cases, and on thousands of random mutations of valid documents (deterministic).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BASE, CASES, SAMPLE, build_case, node_paths

from aigonix_render.load import load_tree
from aigonix_render.validate import fast_schema, schema

KINDS = ("Customer", "Application", "Microservice")


def documents(root: Path) -> Iterator[tuple[str, Any]]:
    tree, _ = load_tree(root)
    if tree.customer is not None:
        yield "Customer", tree.customer.data
    for app in tree.applications:
        yield "Application", app.document.data
        for ms in app.microservices:
            yield "Microservice", ms.document.data


def faultless(kind: str, data: Any) -> bool:
    return not list(schema._validator(kind).iter_errors(data))


def fast(kind: str, data: Any) -> bool:
    check = fast_schema.fast_check(kind)
    assert check is not None, f"the {kind} schema no longer compiles: every document goes to jsonschema"
    return check(data)


def test_every_document_of_the_cases_gets_the_same_answer(tmp_path: Path) -> None:
    found = [doc for root in (BASE, SAMPLE) for doc in documents(root)]
    for case in CASES:
        found += documents(build_case(case, tmp_path / case.name))
    assert len(found) > 300
    assert [(k, d) for k, d in found if fast(k, d) != faultless(k, d)] == []


# Values that sit on the schemas' edges: types, lengths, patterns, GUIDs, names, numbers.
VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 80, 65535, 65536, 1.5, 80.0, "", " ", "a", "A", "x" * 64, "x" * 300,
    "shop", "Shop", "shop-1", "-shop", "shop_1", "1.10", "0042", "yes", "/", "/orders", "orders",
    "11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-11111111111", "Prefix", "Exact",
    "dolittle/runtime:9.3.3", "nginx:latest", "nginx@sha256:" + "a" * 64, "256Mi", "2", "25m", "0.5",
    "aigonix.io/v1", "Microservice", "Application", "Customer", "Dev", "Prod", "dev", "a b",
    "age1ut3u964c8ef4lrtnnkcgda53m29lxmjrvte3guyeynnxr5rlz9ys3x6sym", "https://x.example", "*/5 * * * *",
    [], ["a"], ["a", "a"], [1, 1], [True, 1], [None], {}, {"a": "b"}, {"path": "/x"}, [{"path": "/x"}],
]  # fmt: skip


def mutated(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``data`` with one to three random changes: a value replaced, a key removed or added."""
    result = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice([p for p in node_paths(result) if p])
        parent: Any = result
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.7:
            parent[path[-1]] = copy.deepcopy(rng.choice(VALUES))
        elif action < 0.85 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "Name", "name", "path", "id", "env"])] = copy.deepcopy(
                rng.choice(VALUES)
            )
    return result


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_documents_never_pass_with_a_fault(kind: str) -> None:
    originals = [d for root in (BASE, SAMPLE) for k, d in documents(root) if k == kind]
    rng = random.Random(f"schema-check-{kind}")
    agree = 0
    for _ in range(1500):
        data = mutated(rng.choice(originals), rng)
        passes, clean = fast(kind, data), faultless(kind, data)
        assert not (passes and not clean), data
        agree += passes == clean
    assert agree >= 1450  # "ask jsonschema" for a faultless document is rare (unhashable items)
