"""write/marker_lines.py: a well-formed marker read in bulk says what reading it line by line says."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from aigonix_render.write.marker import claimed_twice
from aigonix_render.write.marker_lines import Reading, line_by_line, read_lines

DIGESTS = st.sampled_from(["0" * 64, "a" * 64, "0123456789abcdef" * 4])
PATHS = st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1, max_size=12)
LINES = st.one_of(
    st.builds(lambda d, p: f"{d}  {p}", DIGESTS, PATHS),
    st.builds(lambda p: f"# folder {p}", PATHS),
    st.builds(lambda d, s: f"# inputs: sha256:{d} {json.dumps(s)}", DIGESTS, st.lists(PATHS, max_size=3)),
    st.builds(lambda p: f"# inputs: {p}", PATHS),
    st.builds(lambda s: f"# claims: {json.dumps(s)}", st.lists(PATHS, max_size=3)),
    st.builds(lambda p: f"# claims: {p}", PATHS),
    st.builds(lambda p: f"# aigonix-render: {p}", PATHS),
    st.builds(lambda p: f"#{p}", PATHS),
    st.just(""),
    st.sampled_from(
        ["<<<<<<< ours", "=======", ">>>>>>> theirs", "||||||| base", "not a line", "0" * 63 + "  x"]
    ),
)


@given(st.lists(LINES, max_size=12), st.booleans())
def test_in_bulk_or_line_by_line_the_same(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    assert read_lines(text) == line_by_line(text)


def test_a_damaged_line_is_named_by_its_number() -> None:
    text = f"# folder app/Dev\n{'0' * 64}  app/Dev/a.yaml\nhand edit\n"
    assert read_lines(text) == 3


def test_a_folders_claims_are_read_and_a_damaged_claims_line_leaves_it_without_inputs() -> None:
    inputs = f'# inputs: sha256:{"0" * 64} ["aigonix.yaml"]'
    text = f'# folder one/_shared\n{inputs}\n# claims: ["host in Dev: a.example"]\n'
    text += f"# folder two/_shared\n{inputs}\n# claims: host in Dev: a.example\n"
    reading = read_lines(text)
    assert isinstance(reading, Reading)
    assert reading.claims == {"one/_shared": ("host in Dev: a.example",)}
    assert list(reading.sections) == ["one/_shared"]  # two/_shared is rendered again


def test_a_claim_is_made_twice_only_by_two_applications() -> None:
    one = {"one/_shared": ("application name: one", "host in Dev: a.example")}
    assert not claimed_twice({**one, "one/dev": ("host in Dev: a.example",)})
    assert not claimed_twice({**one, "two/_shared": ("application name: two", "host in Prod: a.example")})
    assert claimed_twice({**one, "two/_shared": ("application name: two", "host in Dev: a.example")})
