"""Stage 1, load: one YAML file → a ``Document`` that remembers positions, or the ``Problem``
that stops it.

Every file is read (``reading.read_text``) and parsed with libyaml first
(``fast_yaml.read``), which gives plain data; every node's line and column come from
libyaml's marks, packed only when a position is first asked for (libyaml reads that file
again: most files of a tree, its 3,000 SOPS files at N=1000 among them, never need one),
so a problem points at the place the user must look without ruamel. Anything unusual is read again with ruamel.yaml (YAML 1.2), which knows each node's
line and column too; its errors become problems in ``yaml_errors``. Plain data is bounded
in values and depth (``plain``), so an alias bomb is refused. Problems are returned as
values, never raised.

A file that holds secrets is read ``sensitive``: its problems are worded only from fixed
phrases, a position and a key name, never from the parser's own message, which may quote
the offending token (and so a secret).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aigonix_render.foundation import Problem, Severity, fast_yaml, record
from aigonix_render.load.reading import offset_position, read_text
from aigonix_render.load.yaml_errors import HIDDEN, yaml_problem

if TYPE_CHECKING:  # ruamel loads only when a file or a position needs it (a tenth of start-up)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

MAX_VALUES = 100_000
MAX_DEPTH = 64
PathPart = str | int


@record
class Document:
    """One parsed YAML file: plain data, its text, and where its nodes are: libyaml's marks
    from the first read, or ruamel's node tree (from the careful read, or parsed only when a
    position is asked for and there are no marks)."""

    path: str
    data: dict[str, Any]
    source: str = ""
    parsed: CommentedMap | None = None
    sensitive: bool = False
    marks: fast_yaml.Marks | fast_yaml.LaterMarks | None = None

    @cached_property
    def node(self) -> Any:
        from ruamel.yaml.error import YAMLError

        if self.parsed is not None:
            return self.parsed
        try:
            return _careful_load(self.source)[0]
        except (YAMLError, RecursionError, IndexError):
            return None

    def position(self, path: Sequence[PathPart], at_key: bool = False) -> tuple[int, int]:
        found = self.marks.locate(path, at_key) if self.marks is not None else None
        return found or locate(self.node, path, at_key)

    def problem(
        self, path: Sequence[PathPart], message: str, at_key: bool = False, warning: bool = False
    ) -> Problem:
        line, column = self.position(path, at_key)
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(self.path, line, column, message, severity)

    def token(self, path: Sequence[PathPart]) -> str:
        """The source text of the scalar at ``path``, as the user wrote it (never a secret's)."""
        if self.sensitive:
            return ""
        line, column = self.position(path)
        lines = self.source.splitlines()
        if not 0 < line <= len(lines):
            return ""  # an empty value at the end of the file stands after its last line
        text = lines[line - 1][column - 1 :]
        return text.split(" #")[0].strip().rstrip(",}]").strip()


def read_document(
    root: Path, relative: str | Path, sensitive: bool = False, libyaml_marks: bool = True
) -> Document | Problem:
    """Parse the YAML file ``root/relative``: its document, or the problem that stops it.

    The folders on the way to it must be real folders, as ``load`` checks each it enters:
    then only the file itself, if it is a symlink, can lead outside the repository.
    ``sensitive`` for a file that holds secrets: then no problem quotes the file's text.
    ``libyaml_marks=False`` (for tests) leaves every position to ruamel, as the reference
    the marks are compared with."""
    name = relative if isinstance(relative, str) else relative.as_posix()
    text = read_text(root, name)
    if isinstance(text, Problem):
        return text
    return parse_document(name, text, sensitive, libyaml_marks)


def parse_document(
    name: str, text: str, sensitive: bool = False, libyaml_marks: bool = True
) -> Document | Problem:
    """``read_document`` of the file ``name`` holding ``text``, read already (or not written:
    ``set`` checks an edited file's new text in memory)."""
    try:
        loaded = fast_yaml.read(text, MAX_VALUES, MAX_DEPTH, marks=False)
        documents = fast_yaml.load_all(text) if loaded is None else None
    except fast_yaml.TooDeep:
        return Problem(name, 1, 1, f"nested deeper than {MAX_DEPTH} levels")
    if loaded is not None:
        marks = [d.marks for d in loaded] if libyaml_marks else None
        return _single(name, [d.data for d in loaded], text, sensitive, marks)
    if documents is None:
        careful = _careful_read(name, text, sensitive)
        if isinstance(careful, Problem):
            return careful
        return _single(name, careful, text, sensitive, careful=True)
    return _single(name, documents, text, sensitive)


def _careful_read(name: str, text: str, sensitive: bool) -> list[Any] | Problem:
    """ruamel's documents of ``text``, or its error in plain words at its position."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        return _careful_load(text)
    except MarkedYAMLError as error:
        return yaml_problem(name, error, sensitive)
    except ReaderError as error:
        line, column = offset_position(text.encode("utf-8"), len(text[: error.position].encode("utf-8")))
        if sensitive:
            return Problem(name, line, column, f"a character here is not allowed in YAML ({HIDDEN})")
        message = f"the character U+{ord(text[error.position]):04X} is not allowed in YAML"
        return Problem(name, line, column, message)
    except YAMLError as error:
        return Problem(name, 1, 1, f"YAML error ({HIDDEN})" if sensitive else f"YAML error: {error}")
    except RecursionError:
        return Problem(name, 1, 1, f"nested deeper than {MAX_DEPTH} levels")


def _careful_load(text: str) -> list[Any]:
    """ruamel's documents of ``text``. Its warnings are silenced: YAML 1.2 allows what they
    warn about (a reused anchor), and they would print lines of the file on stderr."""
    from ruamel.yaml.error import YAMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        return list(_careful_yaml().load_all(text))


def _single(
    name: str,
    documents: list[Any],
    text: str,
    sensitive: bool,
    marks: list[fast_yaml.Marks | fast_yaml.LaterMarks] | None = None,
    careful: bool = False,
) -> Document | Problem:
    """The one mapping of the file. ``marks``: the documents are plain data already;
    ``careful``: ruamel read them (and so knows their positions)."""
    while len(documents) > 1 and documents[-1] is None:
        documents.pop()  # a trailing '---' ends the stream; it is no second document
    if len(documents) != 1:
        line = _second_document_line(text) if documents else 1
        message = "empty file" if not documents else "a file holds one YAML document, found several"
        return Problem(name, line, 1, message)
    node = documents[0]
    if not isinstance(node, dict):
        return Problem(name, 1, 1, "the document must be a mapping")
    if marks is not None:
        return Document(name, node, text, None, sensitive, marks[0])
    parsed = cast("CommentedMap", node) if careful else None
    try:
        data = plain(node)
    except _UnsupportedValue as error:
        where = Document(name, {}, text, parsed)
        message = error.hidden if sensitive else str(error)
        return Problem(name, *where.position(error.path), message)
    return Document(name, data, text, parsed, sensitive)


def _careful_yaml() -> YAML:
    """ruamel.yaml's round-trip reader: slow, but it knows every node's line and column."""
    from ruamel.yaml import YAML

    reader = YAML(typ="rt", pure=False)
    reader.allow_duplicate_keys = False
    return reader


def _second_document_line(text: str) -> int:
    """The line of the '---' that starts the second document."""
    lines = text.splitlines()
    markers = [i + 1 for i, line in enumerate(lines) if line == "---" or line.startswith("--- ")]
    content = [i + 1 for i, line in enumerate(lines) if line.strip() and not line.startswith(("#", "%"))]
    leading = bool(markers) and bool(content) and markers[0] == content[0]
    index = 1 if leading else 0
    return markers[index] if len(markers) > index else 1


class _UnsupportedValue(Exception):
    """A value plain data cannot hold; ``hidden`` is its wording without the file's text."""

    def __init__(self, path: list[PathPart], message: str, hidden: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.hidden = hidden or message


def plain(node: Any) -> Any:
    """ruamel's round-trip types → dict, list, str, int, float, bool, None, date.

    Aliases are expanded, so the number of values and the depth are bounded: a YAML alias
    bomb or absurd nesting is refused instead of filling the memory.
    """
    return _Plain().convert(node, [])


class _Plain:
    def __init__(self) -> None:
        self.count = 0

    def convert(self, node: Any, path: list[PathPart]) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _UnsupportedValue(
                [], f"the document expands to more than {MAX_VALUES} values (a YAML alias bomb?)"
            )
        if len(path) > MAX_DEPTH:
            raise _UnsupportedValue(path, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            return {_key(k, path): self.convert(v, [*path, str(k)]) for k, v in node.items()}
        if isinstance(node, list):
            return [self.convert(v, [*path, i]) for i, v in enumerate(node)]
        return _scalar(node, path)


def _scalar(node: Any, path: list[PathPart]) -> Any:
    if node is None or isinstance(node, bool | date):
        return node
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    raise _UnsupportedValue(path, f"unsupported YAML value of type {type(node).__name__}")


def _key(key: Any, path: list[PathPart]) -> str:
    if not isinstance(key, str):
        raise _UnsupportedValue(path, f"keys must be strings, found {key!r}", "keys must be strings")
    return str(key)


def locate(node: Any, path: Sequence[PathPart], at_key: bool = False) -> tuple[int, int]:
    """1-based line and column of the node at ``path`` (or of the deepest one that exists)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line, column = (node.lc.line, node.lc.col) if hasattr(node, "lc") else (0, 0)
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, CommentedMap) and part in node:
            line, column = node.lc.key(part) if last and at_key else node.lc.value(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, column = node.lc.item(part)
            node = node[part]
        else:
            break
    return line + 1, column + 1
