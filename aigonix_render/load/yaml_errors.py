"""Stage 1, load: a YAML parser's error → a ``Problem`` in plain words, at the place to look.

An unclosed quote or bracket points at where it opens; common mistakes (bad indentation,
a tab, an unquoted ': ') get this module's words. For a file that holds secrets, only
fixed phrases, a position and a key name: never the parser's own message, which may quote
the offending token (and so a secret); ``HIDDEN`` says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aigonix_render.foundation import Problem, names

if TYPE_CHECKING:  # for the annotation only: ruamel loads only when a file needs it
    from ruamel.yaml.error import MarkedYAMLError

HIDDEN = "details hidden: this file holds secrets"


_UNCLOSED = {
    "while scanning a quoted scalar": "the quoted string that starts here is never closed",
    "while parsing a flow sequence": "the '[' here is never closed",
    "while parsing a flow mapping": "the '{' here is never closed",
    "while scanning a simple key": "this key has no ':' after it",
}
_PLAIN_WORDS = {
    "expected <block end>, but found": "bad indentation: this line does not line up with the lines above it",
    "found character '\\t' that cannot start any token": "a tab character: YAML indents with spaces only",
    "mapping values are not allowed here": "mapping values are not allowed here (quote a value that holds ': ')",
}


_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)" with value')


def yaml_problem(name: str, error: MarkedYAMLError, sensitive: bool) -> Problem:
    """A parser error in plain words, at the place the user must look."""
    problem = (error.problem or "invalid YAML").split(" with value")[0]
    context = error.context or ""
    for start, words in _UNCLOSED.items():
        if context.startswith(start) and error.context_mark is not None:
            detail = HIDDEN if sensitive else problem
            return _at(name, error.context_mark, f"YAML syntax: {words} ({detail})")
    mark = error.problem_mark or error.context_mark
    return _at(name, mark, f"YAML syntax: {_plain_words(error.problem or '', sensitive)}")


def _plain_words(problem: str, sensitive: bool) -> str:
    """The parser's problem in this module's words; for a file with secrets nothing else,
    but a duplicate key's name when it is a variable name (a secret's key, never a value)."""
    for start, words in _PLAIN_WORDS.items():
        if problem.startswith(start):
            return words
    if not sensitive:
        return problem.split(" with value")[0] or "invalid YAML"
    duplicate = _DUPLICATE_KEY.match(problem)
    if duplicate and names.env_var_name(duplicate[1]) is None:
        return f'found duplicate key "{duplicate[1]}"'
    return f"invalid YAML here ({HIDDEN})"


def _at(name: str, mark: Any, message: str) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(name, line, column, message)
