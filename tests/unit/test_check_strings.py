"""``check.sizes.string_rules`` on an object known by its data only (a Secret still to be
sealed): a lone surrogate anywhere in it, a key too, is found at its field; data without
one is passed by one search of its JSON text; data JSON cannot write is walked as before."""

from __future__ import annotations

import datetime
from typing import Any

from aigonix_render.check.objects import object_from_data
from aigonix_render.check.sizes import string_rules

MESSAGE = "holds a lone surrogate, a character YAML cannot carry"


def fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    obj = object_from_data("shop/dev/web-secret-env-variables.yaml", data)
    return [(finding.field, finding.message) for finding in string_rules(obj)]


def secret(**metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "web", **metadata}}


def test_data_without_a_surrogate_passes() -> None:
    assert fields(secret(labels={"app": "w\u00e9b", "tier": "\U0001f600"}, annotations={"n": 1})) == []


def test_a_surrogate_in_a_value_a_key_or_a_list_is_found_at_its_field() -> None:
    data = secret(labels={"app": "a\ud800b", "k\udfff": "v"}, annotations={"list": ["ok", "x\udc00"]})
    assert fields(data) == [
        ("metadata.labels.app", MESSAGE),
        ("metadata.labels", MESSAGE),  # the key: found at the mapping that holds it
        ("metadata.annotations.list[1]", MESSAGE),
    ]


def test_data_json_cannot_write_is_walked() -> None:
    when = datetime.date(2024, 1, 1)
    assert fields(secret(labels={(1, 2): "a\ud800"})) == [("metadata.labels.(1, 2)", MESSAGE)]
    assert fields(secret(labels={"since": when})) == []
