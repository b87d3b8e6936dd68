"""write/marker_lines.py: a well-formed marker read in bulk says what reading it line by line says."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from aigonix_render.write.marker_lines import line_by_line, read_lines

DIGESTS = st.sampled_from(["0" * 64, "a" * 64, "0123456789abcdef" * 4])
PATHS = st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1, max_size=12)
LINES = st.one_of(
    st.builds(lambda d, p: f"{d}  {p}", DIGESTS, PATHS),
    st.builds(lambda p: f"# folder {p}", PATHS),
    st.builds(lambda d, s: f"# inputs: sha256:{d} {json.dumps(s)}", DIGESTS, st.lists(PATHS, max_size=3)),
    st.builds(lambda p: f"# inputs: {p}", PATHS),
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
