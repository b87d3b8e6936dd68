"""One YAML file → a ``Document`` that remembers positions, or the ``Problem`` that stops it.

Every file is read with libyaml first (``fast_yaml.read``), which gives plain data and
every node's line and column from libyaml's marks, so a problem points at the place the
user must look without a second parse. Anything unusual is read again with ruamel.yaml
(YAML 1.2), which knows each node's line and column too, and says what is wrong where.
Problems are returned as values, never raised.

A file that holds secrets is read ``sensitive``: its problems are worded only from this
module's fixed phrases, a position and a key name, never from the parser's own message,
which may quote the offending token (and so a secret).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aigonix_render.foundation import Problem, Severity, fast_yaml, names

if TYPE_CHECKING:  # ruamel loads only when a file or a position needs it (a tenth of start-up)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64
PathPart = str | int
HIDDEN = "details hidden: this file holds secrets"
NOT_REGULAR = "not a regular file"


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: plain data, its text, and where its nodes are: libyaml's marks
    from the first read, or ruamel's node tree (from the careful read, or parsed only when a
    position is asked for and there are no marks)."""

    path: str
    data: dict[str, Any]
    source: str = ""
    parsed: CommentedMap | None = None
    sensitive: bool = False
    marks: fast_yaml.Marks | None = None

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
    text = _text(root, name)
    if isinstance(text, Problem):
        return text
    try:
        loaded = fast_yaml.read(text, MAX_VALUES, MAX_DEPTH)
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
        return _yaml_problem(name, error, sensitive)
    except ReaderError as error:
        line, column = _offset_position(text.encode("utf-8"), len(text[: error.position].encode("utf-8")))
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


@dataclass(frozen=True)
class TooLarge:
    """A file over the size limit, left unread; ``size`` is what it holds."""

    size: int


def read_file(path: Path, name: str, limit: int) -> bytes | TooLarge | Problem:
    """The bytes of the regular file at ``path`` (``name`` in problems), if at most ``limit``.

    Checked before it is opened and again once open: a FIFO or a device would block or never
    end, a huge file would fill the memory, and the tree may change during the run (a file
    deleted or made unreadable meanwhile is a problem, never a traceback). Read with plain
    system calls in a buffer of the file's size: Python's file objects cost five more calls
    and a buffer of ``limit`` per file, a third of ``validate``'s system time.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return Problem(name, 1, 1, NOT_REGULAR)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return _read_open(descriptor, name, limit)
        finally:
            os.close(descriptor)
    except OSError as error:
        return Problem(name, 1, 1, cannot_read(error))


def _read_open(descriptor: int, name: str, limit: int) -> bytes | TooLarge | Problem:
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        return Problem(name, 1, 1, NOT_REGULAR)
    if info.st_size > limit:
        return TooLarge(info.st_size)
    data = _read_up_to(descriptor, info.st_size, limit)
    return TooLarge(len(data)) if len(data) > limit else data


def _read_up_to(descriptor: int, size: int, limit: int) -> bytes:
    """The file's bytes, but never more than ``limit + 1``: one byte more tells a file that
    grew since it was measured at ``size``."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(descriptor, size + 1 - total if total <= size else limit + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def cannot_read(error: OSError) -> str:
    """Why a file or folder could not be read, without the path or text the error may hold."""
    if isinstance(error, FileNotFoundError):
        return "not found: a symlink to nothing, or deleted during the run"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    if error.errno == errno.ELOOP:
        return "a symlink loop"
    return f"cannot be read: {error.strerror or type(error).__name__}"


def inside_root(root: Path, path: str | Path) -> bool:
    """Whether ``path``, symlinks followed, stays inside ``root`` (which is resolved)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(root)
    except ValueError:  # a NUL in a path from a document
        return False


_OUTSIDE = "a symlink leading outside the repository: the tree must be self-contained"
_TOO_LARGE = f"larger than {MAX_FILE_BYTES // 1024} KiB: not an aigonix.yaml this tool reads"


def _text(root: Path, name: str) -> str | Problem:
    """The file as text, refusing what no aigonix.yaml can be: huge, BOM, not UTF-8."""
    path = os.path.join(root, name)
    if os.path.islink(path) and not inside_root(root, path):
        return Problem(name, 1, 1, _OUTSIDE)
    raw = read_file(Path(path), name, MAX_FILE_BYTES)
    if isinstance(raw, TooLarge):
        return Problem(name, 1, 1, _TOO_LARGE)
    if isinstance(raw, Problem):
        return raw
    if raw.startswith(b"\xef\xbb\xbf"):
        return Problem(name, 1, 1, "starts with a byte-order mark: save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _offset_position(raw, error.start)
        return Problem(name, line, column, "not valid UTF-8")


def _single(
    name: str,
    documents: list[Any],
    text: str,
    sensitive: bool,
    marks: list[fast_yaml.Marks] | None = None,
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


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, offset - line_start + 1


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


def _yaml_problem(name: str, error: MarkedYAMLError, sensitive: bool) -> Problem:
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
