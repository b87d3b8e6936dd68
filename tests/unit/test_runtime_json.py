"""The Runtime's JSON files are written like Go's json.MarshalIndent(v, "", "  ")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aigonix_render.render.runtime import as_json

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
)


@given(_VALUES)
def test_written_as_the_standard_indenting_encoder_writes_it(value: Any) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        expected = expected.replace(character, escape)
    expected = expected.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    assert as_json(value) == expected


def test_go_escapes_html_characters_and_keeps_empty_collections_on_one_line() -> None:
    assert as_json({"a<b": ["&", {}], "c": []}) == (
        '{\n  "a\\u003cb": [\n    "\\u0026",\n    {}\n  ],\n  "c": []\n}'
    )


def test_a_key_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="must be a string, not int"):
        as_json({"tenants": {1: {}}})
