"""Stage 1, load: the files of an input tree → documents that remember positions.

Every ``aigonix.yaml`` is parsed with ruamel.yaml (YAML 1.2) so each node keeps its line
and column. Problems found while loading (syntax, duplicate keys, files at unknown places,
kinds in the wrong place, unreadable files) are returned as values, never raised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from aigonix_render import fast_yaml
from aigonix_render.problems import Problem, Severity

MANIFEST = "aigonix.yaml"
MAX_FILE_BYTES = 1024 * 1024
SECRETS = "secrets.yaml"
PathPart = str | int


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: plain data, its text, and ruamel's node tree for positions
    (parsed only when a position is asked for, unless the careful read made it already)."""

    path: str
    data: dict[str, Any]
    source: str = ""
    parsed: CommentedMap | None = None

    @cached_property
    def node(self) -> Any:
        if self.parsed is not None:
            return self.parsed
        try:
            return _careful_yaml().load(self.source)
        except (YAMLError, RecursionError):
            return None

    def position(self, path: Sequence[PathPart], at_key: bool = False) -> tuple[int, int]:
        return locate(self.node, path, at_key)

    def problem(
        self, path: Sequence[PathPart], message: str, at_key: bool = False, warning: bool = False
    ) -> Problem:
        line, column = self.position(path, at_key)
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(self.path, line, column, message, severity)

    def token(self, path: Sequence[PathPart]) -> str:
        """The source text of the scalar at ``path``, as the user wrote it."""
        line, column = self.position(path)
        text = self.source.splitlines()[line - 1][column - 1 :]
        return text.split(" #")[0].strip().rstrip(",}]").strip()


@dataclass(frozen=True)
class ConfigFile:
    """A file from a ``files/`` folder, destined for a ConfigMap key."""

    path: str
    name: str
    content: bytes


@dataclass(frozen=True)
class MicroserviceFolder:
    folder: str
    document: Document
    files: tuple[ConfigFile, ...]
    environment_folders: dict[str, str] = field(default_factory=dict)
    environment_files: dict[str, tuple[ConfigFile, ...]] = field(default_factory=dict)
    secrets: dict[str, Document] = field(default_factory=dict)
    unreadable_secrets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ApplicationFolder:
    folder: str
    document: Document
    microservices: tuple[MicroserviceFolder, ...]


@dataclass(frozen=True)
class Tree:
    root: Path
    customer: Document | None
    registry: Document | None
    applications: tuple[ApplicationFolder, ...]


def load_tree(root: Path, exclude: Sequence[Path] = ()) -> tuple[Tree, list[Problem]]:
    """Read every input file under ``root``; ``exclude`` lists folders to skip (the output)."""
    loader = _Loader(root.resolve(), tuple(p.resolve() for p in exclude))
    return loader.tree(), loader.problems


class _Loader:
    def __init__(self, root: Path, exclude: tuple[Path, ...]) -> None:
        self.root = root
        self.exclude = exclude
        self.problems: list[Problem] = []
        self.yaml = _careful_yaml()

    def tree(self) -> Tree:
        manifests = set(self._find_manifests())
        customer = self._expect(Path(MANIFEST), "Customer", manifests)
        if customer is None and not (self.root / MANIFEST).is_file():
            self.problems.append(
                Problem(MANIFEST, 1, 1, "missing: the root needs an aigonix.yaml of kind Customer")
            )
        applications = tuple(self._applications(manifests))
        for stray in sorted(manifests):
            self.problems.append(Problem(stray.as_posix(), 1, 1, _UNKNOWN_PLACE))
        return Tree(self.root, customer, self._registry(customer), applications)

    def _find_manifests(self) -> Iterator[Path]:
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not self._excluded(here / d))
            if MANIFEST in files:
                yield (here / MANIFEST).relative_to(self.root)

    def _excluded(self, path: Path) -> bool:
        return any(path == ex for ex in self.exclude)

    def _expect(self, relative: Path, kind: str, manifests: set[Path]) -> Document | None:
        if relative not in manifests:
            return None
        manifests.discard(relative)
        document = self.document(relative)
        if document is not None and document.data.get("kind") != kind:
            found = document.data.get("kind")
            where = ["kind"] if "kind" in document.data else []
            message = f"this place holds a {kind}, not {found!r}" if found else f"kind: {kind} is missing"
            self.problems.append(document.problem(where, message))
            return None
        return document

    def _applications(self, manifests: set[Path]) -> Iterator[ApplicationFolder]:
        for folder in self._folders(self.root / "applications"):
            relative = folder.relative_to(self.root)
            document = self._required(relative, "Application", manifests)
            microservices = tuple(self._microservices(folder, manifests))
            if document is not None:
                yield ApplicationFolder(relative.as_posix(), document, microservices)

    def _microservices(self, app: Path, manifests: set[Path]) -> Iterator[MicroserviceFolder]:
        for folder in self._folders(app / "microservices"):
            relative = folder.relative_to(self.root)
            document = self._required(relative, "Microservice", manifests)
            if document is not None:
                yield self._microservice(folder, document)

    def _folders(self, parent: Path) -> list[Path]:
        folders = [folder for folder in _subfolders(parent) if not self._excluded(folder)]
        for link in (f for f in folders if f.is_symlink()):
            self._problem(
                self._relative(link),
                "a symlink to a folder: applications and microservices must be real folders",
            )
        return [folder for folder in folders if not folder.is_symlink()]

    def _required(self, folder: Path, kind: str, manifests: set[Path]) -> Document | None:
        """The folder's manifest; a folder without one is an error, never silently skipped."""
        if not (self.root / folder / MANIFEST).is_file():
            message = f"missing: this folder needs an aigonix.yaml of kind {kind}"
            self.problems.append(Problem(f"{folder.as_posix()}/{MANIFEST}", 1, 1, message))
            return None
        return self._expect(folder / MANIFEST, kind, manifests)

    def _microservice(self, folder: Path, document: Document) -> MicroserviceFolder:
        env_folders: dict[str, str] = {}
        env_files: dict[str, tuple[ConfigFile, ...]] = {}
        secrets: dict[str, Document] = {}
        unreadable: set[str] = set()
        for env in _subfolders(folder / "environments"):
            env_folders[env.name] = self._relative(env)
            env_files[env.name] = self._files(env / "files")
            if (env / SECRETS).is_file():
                secret = self.document(env.relative_to(self.root) / SECRETS)
                if secret is None:
                    unreadable.add(env.name)
                else:
                    secrets[env.name] = secret
        files = self._files(folder / "files")
        relative = self._relative(folder)
        return MicroserviceFolder(
            relative, document, files, env_folders, env_files, secrets, frozenset(unreadable)
        )

    def _files(self, folder: Path) -> tuple[ConfigFile, ...]:
        if not folder.is_dir():
            return ()
        found = []
        for entry in sorted(folder.iterdir()):
            config = self._config_file(entry)
            if config is not None:
                found.append(config)
        return tuple(found)

    def _config_file(self, entry: Path) -> ConfigFile | None:
        relative = self._relative(entry)
        target = entry.resolve()
        if not target.is_relative_to(self.root):
            self._problem(relative, "a symlink leading outside the repository cannot be a config file")
        elif target.is_dir():
            self._problem(relative, "folders are not allowed under files/ (a ConfigMap key cannot hold '/')")
        elif not target.is_file():
            self._problem(relative, "not a regular file")
        else:
            return ConfigFile(relative, entry.name, target.read_bytes())
        return None

    def _registry(self, customer: Document | None) -> Document | None:
        credentials = (customer.data.get("registry") or {}) if customer else {}
        path = credentials.get("credentials") if isinstance(credentials, dict) else None
        if not isinstance(path, str) or not path:
            return None
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            assert customer is not None
            self.problems.append(
                customer.problem(["registry", "credentials"], f"no such file in the repository: {path}")
            )
            return None
        return self.document(target.relative_to(self.root))

    def document(self, relative: Path) -> Document | None:
        """Parse one YAML file; on failure record a positioned problem and return None."""
        name = relative.as_posix()
        text = self._text(relative)
        if text is None:
            return None
        try:
            documents = fast_yaml.load_all(text)
        except fast_yaml.TooDeep:
            self.problems.append(Problem(name, 1, 1, f"nested deeper than {MAX_DEPTH} levels"))
            return None
        if documents is not None:
            return self._single(name, documents, text)
        try:
            documents = list(self.yaml.load_all(text))
        except MarkedYAMLError as error:
            self.problems.append(_yaml_problem(name, error))
            return None
        except ReaderError as error:
            line, column = _offset_position(text.encode("utf-8"), len(text[: error.position].encode("utf-8")))
            message = f"the character U+{ord(text[error.position]):04X} is not allowed in YAML"
            self.problems.append(Problem(name, line, column, message))
            return None
        except YAMLError as error:
            self.problems.append(Problem(name, 1, 1, f"YAML error: {error}"))
            return None
        except RecursionError:
            self.problems.append(Problem(name, 1, 1, f"nested deeper than {MAX_DEPTH} levels"))
            return None
        return self._single(name, documents, text)

    def _text(self, relative: Path) -> str | None:
        """The file as text, refusing what no aigonix.yaml can be: huge, BOM, not UTF-8."""
        name = relative.as_posix()
        path = self.root / relative
        if not path.resolve().is_relative_to(self.root):
            self._problem(name, "a symlink leading outside the repository: the tree must be self-contained")
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            self._problem(
                name, f"larger than {MAX_FILE_BYTES // 1024} KiB: not an aigonix.yaml this tool reads"
            )
            return None
        raw = path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            self._problem(name, "starts with a byte-order mark: save it as UTF-8 without BOM")
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line, column = _offset_position(raw, error.start)
            self.problems.append(Problem(name, line, column, "not valid UTF-8"))
            return None

    def _single(self, name: str, documents: list[Any], text: str) -> Document | None:
        while len(documents) > 1 and documents[-1] is None:
            documents.pop()  # a trailing '---' ends the stream; it is no second document
        if len(documents) != 1:
            line = _second_document_line(text) if documents else 1
            message = "empty file" if not documents else "a file holds one YAML document, found several"
            self.problems.append(Problem(name, line, 1, message))
            return None
        node = documents[0]
        if not isinstance(node, dict):
            self.problems.append(Problem(name, 1, 1, "the document must be a mapping"))
            return None
        parsed = node if isinstance(node, CommentedMap) else None
        try:
            data = plain(node)
        except _UnsupportedValue as error:
            where = Document(name, {}, text, parsed)
            self.problems.append(Problem(name, *where.position(error.path), str(error)))
            return None
        return Document(name, data, text, parsed)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, 1, 1, message))


def _careful_yaml() -> YAML:
    """ruamel.yaml's round-trip reader: slow, but it knows every node's line and column."""
    reader = YAML(typ="rt", pure=False)
    reader.allow_duplicate_keys = False
    return reader


_UNKNOWN_PLACE = (
    "aigonix.yaml at an unknown place: the tree holds it only at the root, in "
    "applications/<app>/ and in applications/<app>/microservices/<microservice>/"
)


def _subfolders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


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


def _yaml_problem(name: str, error: MarkedYAMLError) -> Problem:
    """A parser error in plain words, at the place the user must look."""
    problem = (error.problem or "invalid YAML").split(" with value")[0]
    context = error.context or ""
    for start, words in _UNCLOSED.items():
        if context.startswith(start) and error.context_mark is not None:
            return _at(name, error.context_mark, f"YAML syntax: {words} ({problem})")
    for start, words in _PLAIN_WORDS.items():
        if problem.startswith(start):
            problem = words
    mark = error.problem_mark or error.context_mark
    return _at(name, mark, f"YAML syntax: {problem}")


def _at(name: str, mark: Any, message: str) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(name, line, column, message)


class _UnsupportedValue(Exception):
    def __init__(self, path: list[PathPart], message: str) -> None:
        super().__init__(message)
        self.path = path


MAX_VALUES = 100_000
MAX_DEPTH = 64


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
        raise _UnsupportedValue(path, f"keys must be strings, found {key!r}")
    return str(key)


def locate(node: Any, path: Sequence[PathPart], at_key: bool = False) -> tuple[int, int]:
    """1-based line and column of the node at ``path`` (or of the deepest one that exists)."""
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
