"""``fast_yaml.read(marks=False)``: the same data and refusals as with marks, and marks
packed later that answer every position as the marks packed at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, SAMPLE, node_paths

from aigonix_render.foundation import fast_yaml
from aigonix_render.load import MAX_DEPTH, MAX_VALUES
from aigonix_render.load.secret_keys import private_key

FILES = sorted(p for tree in (SAMPLE, BASE) for p in tree.rglob("*.yaml") if p.is_file())


def test_there_are_files_and_secrets_files() -> None:
    assert len(FILES) >= 20
    assert any(p.name == "secrets.yaml" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(p.parents[2])) for p in FILES])
def test_later_marks_answer_as_marks(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    now = fast_yaml.read(text, MAX_VALUES, MAX_DEPTH)
    later = fast_yaml.read(text, MAX_VALUES, MAX_DEPTH, marks=False)
    assert now is not None and later is not None
    assert [d.data for d in later] == [d.data for d in now]
    for eager, lazy in zip(now, later, strict=True):
        assert isinstance(eager.marks, fast_yaml.Marks)
        assert isinstance(lazy.marks, fast_yaml.LaterMarks)
        for node in node_paths(eager.data, absent=True):
            for at_key in (False, True):
                assert lazy.marks.locate(node, at_key) == eager.marks.locate(node, at_key), node


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: &x [1]\nb: *x\n<<: {c: 1}\n",  # merge key
        "a: !custom 1\n",  # unknown tag
        "a: [1, 2\n",  # syntax error
        "{1: a}\n",  # a key that is no string
        "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",  # 64+ values
    ],
)
def test_without_marks_refuses_what_with_marks_refuses(text: str) -> None:
    assert fast_yaml.read(text, 60, MAX_DEPTH) is None
    assert fast_yaml.read(text, 60, MAX_DEPTH, marks=False) is None


def test_too_deep_without_marks_too() -> None:
    text = "a:\n" + "".join("  " * depth + "- \n" for depth in range(1, 8))
    assert fast_yaml.read(text, MAX_VALUES, 8) is not None
    assert fast_yaml.read(text, MAX_VALUES, 8, marks=False) is not None
    assert fast_yaml.read(text, MAX_VALUES, 3) is None
    assert fast_yaml.read(text, MAX_VALUES, 3, marks=False) is None


def test_a_private_key_after_an_age_stanza_is_found() -> None:
    stanza = b"enc: |\n  -----BEGIN AGE ENCRYPTED FILE-----\n  abc\n  -----END AGE ENCRYPTED FILE-----\n"
    assert private_key(stanza) is None
    key = b"-----BEGIN EC PRIVATE KEY-----\n"
    found = private_key(stanza + key)
    assert found is not None
    assert (found.offset, found.kind) == (len(stanza), "a PEM private key")
