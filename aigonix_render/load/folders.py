"""Stage 1, load: the folders of an input tree → a ``Tree`` of documents and config files.

This module walks the fixed places of the tree; ``documents`` reads each YAML file. The
walk is small generator functions that yield the problems they find (files at unknown
places, kinds in the wrong place, unreadable files) and return what they loaded, so
problems are values and no object collects them on the side.

Every folder of the tree is entered through ``_listing`` and every file read through
``documents.read_file``: those two places refuse what cannot be input (symlinked folders,
FIFOs, devices, huge or unreadable files) so no walk can skip or hang on it. Because every
folder on the way is a real folder, only a file that is itself a symlink can lead outside
the repository, and only such a file is resolved (resolving every path cost a tenth of
``validate``). Paths inside the walk are plain strings, relative to the root with ``/``:
``pathlib`` objects for 6,000 files cost as much again.

``load_tree(root, application=...)`` loads only what rendering one application needs
(``generate``); see ``_one_application``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import translate
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, TypeVar

from aigonix_render.foundation import Problem, Severity, printable
from aigonix_render.load import documents
from aigonix_render.load.documents import (
    Document,
    TooLarge,
    cannot_read,
    inside_root,
    read_document,
    read_file,
)

MANIFEST = "aigonix.yaml"
SECRETS = "secrets.yaml"
CONFIG_MAP_LIMIT = 1024 * 1024
"""What one ConfigMap holds; a config file larger than that is never read."""

_T = TypeVar("_T")
Loading = Generator[Problem, None, _T]
"""A step of the walk: yields the problems it finds, returns what it loaded."""


@dataclass(frozen=True)
class ConfigFile:
    """A file from a ``files/`` folder, destined for a ConfigMap key.

    A file over ``CONFIG_MAP_LIMIT`` is not read (``content`` is empty): its ``size`` alone
    fails validation wherever it would be published."""

    path: str
    name: str
    content: bytes
    size: int


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


@dataclass(frozen=True)
class _Place:
    """The resolved root being loaded and the folders to leave out (the output);
    ``libyaml_marks=False`` leaves positions to ruamel (tests compare the two)."""

    root: Path
    exclude: tuple[Path, ...]
    libyaml_marks: bool = True

    @cached_property
    def base(self) -> str:
        return str(self.root)

    @cached_property
    def excluded_paths(self) -> frozenset[str]:
        return frozenset(str(p) for p in self.exclude)

    def path(self, relative: str) -> str:
        """The absolute path of ``relative`` (``""`` is the root)."""
        return f"{self.base}/{relative}" if relative else self.base

    def excluded(self, relative: str) -> bool:
        return self.path(relative) in self.excluded_paths


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _name(relative: str) -> str:
    return relative.rsplit("/", 1)[-1]


def load_tree(
    root: Path, exclude: Sequence[Path] = (), libyaml_marks: bool = True, application: str | None = None
) -> tuple[Tree, list[Problem]]:
    """Read every input file under ``root``; ``exclude`` lists folders to skip (the output).

    With ``application``, only what rendering that application needs (``_one_application``);
    the whole tree when no application has that name, so the caller says what there is."""
    place = _Place(root.resolve(), tuple(p.resolve() for p in exclude), libyaml_marks)
    if application is not None:
        tree, problems = _run(_one_application(place, application))
        if tree is not None:
            return tree, problems
    tree, problems = _run(_tree(place))
    assert tree is not None
    return tree, problems


def _run(steps: Loading[_T]) -> tuple[_T, list[Problem]]:
    problems: list[Problem] = []
    while True:
        try:
            problems.append(next(steps))
        except StopIteration as done:
            return done.value, problems


def _tree(place: _Place) -> Loading[Tree | None]:
    for stray in sorted(_find_manifests(place)):
        if not _known_place(stray):
            yield Problem(stray.as_posix(), 1, 1, _UNKNOWN_PLACE)
    customer = yield from _manifest(place, "", "Customer")
    applications = yield from _applications(place)
    registry = yield from _registry(place, customer)
    return Tree(place.root, customer, registry, applications)


_UNKNOWN_PLACE = (
    "aigonix.yaml at an unknown place: the tree holds it only at the root, in "
    "applications/<app>/ and in applications/<app>/microservices/<microservice>/"
)


def _find_manifests(place: _Place) -> Iterator[Path]:
    """Every aigonix.yaml in the folders the walk could enter (what ``os.walk`` finds, at one
    system call less per folder: whether an entry is a symlink comes with the listing)."""
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(place.path(folder)) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False), e) for e in listing]
        except OSError:
            continue
        for name, real_folder, entry in entries:
            if real_folder and not name.startswith(".") and not place.excluded(_join(folder, name)):
                pending.append(_join(folder, name))
            elif name == MANIFEST and not _is_folder(entry):
                yield Path(folder, MANIFEST)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _known_place(manifest: Path) -> bool:
    """The three places a manifest may be: the root, an application, a microservice."""
    parts = manifest.parts
    return (
        len(parts) == 1
        or (len(parts) == 3 and parts[0] == "applications")
        or (len(parts) == 5 and parts[0] == "applications" and parts[2] == "microservices")
    )


def _manifest(place: _Place, folder: str, kind: str) -> Loading[Document | None]:
    """The folder's manifest; a folder without one is an error, never silently skipped."""
    relative = _join(folder, MANIFEST)
    if _absent(place.path(relative)):
        whose = "the root" if not folder else "this folder"
        yield Problem(relative, 1, 1, f"missing: {whose} needs an aigonix.yaml of kind {kind}")
        return None
    document = yield from _read(place, relative)
    if document is None or document.data.get("kind") == kind:
        return document
    found = document.data.get("kind")
    where = ["kind"] if "kind" in document.data else []
    message = f"this place holds a {kind}, not {found!r}" if found else f"kind: {kind} is missing"
    yield document.problem(where, message)
    return None


def _absent(path: str) -> bool:
    """Nothing at ``path``; what cannot be checked is not absent (reading it says why)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _read(place: _Place, relative: str, sensitive: bool = False) -> Loading[Document | None]:
    read = read_document(place.root, relative, sensitive, place.libyaml_marks)
    if isinstance(read, Problem):
        yield read
        return None
    return read


def _applications(place: _Place) -> Loading[tuple[ApplicationFolder, ...]]:
    found = []
    for folder in (yield from _folders(place, "applications")).entered:
        application = yield from _application(place, folder)
        if application is not None:
            found.append(application)
    return tuple(found)


def _application(
    place: _Place, folder: str, manifest: _Manifest | None = None
) -> Loading[ApplicationFolder | None]:
    """The application in ``folder``; ``manifest``: its manifest, read already."""
    if manifest is None:
        document = yield from _manifest(place, folder, "Application")
    else:
        yield from manifest.problems
        document = manifest.document
    microservices = yield from _microservices(place, folder)
    return ApplicationFolder(folder, document, microservices) if document is not None else None


def _microservices(place: _Place, app: str) -> Loading[tuple[MicroserviceFolder, ...]]:
    found = []
    for folder in (yield from _folders(place, f"{app}/microservices")).entered:
        document = yield from _manifest(place, folder, "Microservice")
        if document is not None:
            found.append((yield from _microservice(place, folder, document)))
    return tuple(found)


class _Folders(NamedTuple):
    entered: list[str]
    refused: list[str]
    """Folders that are there but cannot be entered; a problem names each."""


def _folders(place: _Place, parent: str) -> Loading[_Folders]:
    """The folders in ``parent`` (applications, microservices, environments), sorted.

    Hidden folders and the output are not input; files beside the folders are ignored."""
    folders = _Folders([], [])
    for name in (yield from _listing(place, parent)):
        child = _join(parent, name)
        if name.startswith(".") or place.excluded(child):
            continue
        mode = yield from _mode(place, child)
        if mode is not None and _a_file(place, child, mode):
            continue
        real = mode is not None and (yield from _is_real_folder(child, mode))
        (folders.entered if real else folders.refused).append(child)
    return folders


def _a_file(place: _Place, relative: str, mode: int) -> bool:
    return stat.S_ISREG(mode) or (stat.S_ISLNK(mode) and os.path.isfile(place.path(relative)))


def _listing(place: _Place, folder: str) -> Loading[list[str]]:
    """The names in a folder of the tree, sorted; none when it is absent.

    Every walk of the tree's folders passes here, so none can skip a folder it cannot
    enter: skipping one would drop its workloads from the output, and Flux, which prunes,
    would delete them from the cluster. Such a folder is an error that names it.
    """
    if not (yield from _real_folder(place, folder)):
        return []
    try:
        return sorted(os.listdir(place.path(folder)))
    except OSError as error:
        yield Problem(folder, 1, 1, cannot_read(error))
        return []


_REAL_FOLDERS = (
    "applications/, microservices/, environments/, files/ and the folders in them must be real folders"
)


def _real_folder(place: _Place, relative: str) -> Loading[bool]:
    """Whether ``relative`` is a real folder to enter; an absent one is no problem."""
    mode = yield from _mode(place, relative)
    return mode is not None and (yield from _is_real_folder(relative, mode))


def _mode(place: _Place, relative: str) -> Loading[int | None]:
    """What is at ``relative`` (not following a symlink); None when nothing or unreadable."""
    try:
        return os.lstat(place.path(relative)).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        yield Problem(relative, 1, 1, cannot_read(error))
        return None


def _is_real_folder(relative: str, mode: int) -> Loading[bool]:
    if not stat.S_ISDIR(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "not a folder"
        yield Problem(relative, 1, 1, f"{kind}: {_REAL_FOLDERS}")
        return False
    name = _name(relative)
    if printable(name) != name:
        message = "a folder name that is not UTF-8 or holds control characters: rename the folder"
        yield Problem(relative, 1, 1, message)
        return False
    return True


def _microservice(place: _Place, folder: str, document: Document) -> Loading[MicroserviceFolder]:
    environments = yield from _folders(place, f"{folder}/environments")
    env_files: dict[str, tuple[ConfigFile, ...]] = {}
    for env in environments.entered:
        env_files[_name(env)] = yield from _files(place, f"{env}/files")
    secrets, unreadable = yield from _secrets(place, environments.entered)
    unreadable |= {_name(env) for env in environments.refused}
    files = yield from _files(place, f"{folder}/files")
    env_folders = {_name(env): env for env in [*environments.entered, *environments.refused]}
    return MicroserviceFolder(folder, document, files, env_folders, env_files, secrets, frozenset(unreadable))


def _secrets(place: _Place, environments: list[str]) -> Loading[tuple[dict[str, Document], set[str]]]:
    """Each environment's secrets file, and the environments whose file could not be read."""
    secrets: dict[str, Document] = {}
    unreadable: set[str] = set()
    for env in (e for e in environments if not _absent(place.path(f"{e}/{SECRETS}"))):
        secret = yield from _read(place, f"{env}/{SECRETS}", sensitive=True)
        if secret is None:
            unreadable.add(_name(env))
        else:
            secrets[_name(env)] = secret
    return secrets, unreadable


def _files(place: _Place, folder: str) -> Loading[tuple[ConfigFile, ...]]:
    found = []
    for name in (yield from _listing(place, folder)):
        config = yield from _config_file(place, _join(folder, name))
        if config is not None:
            found.append(config)
    return tuple(found)


def _config_file(place: _Place, relative: str) -> Loading[ConfigFile | None]:
    name, path = _name(relative), place.path(relative)
    if unpublished(name):
        message = f"{name!r} is left out: hidden files and editor leftovers never go into a ConfigMap"
        yield Problem(relative, 1, 1, message, Severity.WARNING)
    elif os.path.islink(path) and not inside_root(place.root, path):
        yield Problem(relative, 1, 1, "a symlink leading outside the repository cannot be a config file")
    elif os.path.isdir(path):
        yield Problem(
            relative, 1, 1, "folders are not allowed under files/ (a ConfigMap key cannot hold '/')"
        )
    else:
        return (yield from _config_content(relative, path))
    return None


def _config_content(relative: str, path: str) -> Loading[ConfigFile | None]:
    read = read_file(Path(path), relative, CONFIG_MAP_LIMIT)
    if isinstance(read, Problem):
        yield read
        return None
    if isinstance(read, TooLarge):
        return ConfigFile(relative, _name(relative), b"", read.size)
    return ConfigFile(relative, _name(relative), read, len(read))


# '..name' is no hidden file but a name kubelet reserves: validation refuses it as an error.
_LEFTOVERS = (
    ".[!.]*",
    "*~",
    "#*#",
    "~$*",
    "*.sw[a-px]",
    "*.bak",
    "*.orig",
    "*.rej",
    "Thumbs.db",
    "desktop.ini",
)
_LEFTOVER = re.compile("|".join(f"(?:{translate(pattern)})" for pattern in _LEFTOVERS))


def unpublished(name: str) -> bool:
    """Files no one publishes on purpose: hidden ones (``.env``, ``.DS_Store``,
    ``.gitignore``, ``.#name``) and the leftovers of editors, patches and file managers."""
    return _LEFTOVER.match(name) is not None


def _registry(place: _Place, customer: Document | None) -> Loading[Document | None]:
    credentials = (customer.data.get("registry") or {}) if customer else {}
    path = credentials.get("credentials") if isinstance(credentials, dict) else None
    if not isinstance(path, str) or not path:
        return None
    assert customer is not None
    target = place.root / path
    if not inside_root(place.root, target) or _absent(str(target)):
        yield customer.problem(["registry", "credentials"], f"no such file in the repository: {path}")
        return None
    relative = Path(os.path.realpath(target)).relative_to(place.root).as_posix()
    return (yield from _read(place, relative, sensitive=True))


# --- one application and what event horizons tie to it (generate) --------------------------


def _one_application(place: _Place, name: str) -> Loading[Tree | None]:
    """What rendering the application ``name`` needs, or None when no application has that name.

    The customer and its registry credentials; the application; every application with a
    microservice that subscribes to it (``_consumers``); and the applications all of those
    subscribe to, and so on, so that each one's model can be built. Argo CD renders every
    application on every commit: the cost follows the application, not the tree. Checks
    across the whole tree (unique names, ids and hosts; manifests at unknown places) are
    ``validate``'s, in pre-commit and CI."""
    customer = yield from _manifest(place, "", "Customer")
    index = _Index(place, (yield from _folders(place, "applications")).entered)
    target = index.find(name)
    if target is None:
        return None
    loaded: dict[str, ApplicationFolder | None] = {}
    pending = [target, *_consumers(place, index.folders, target, name)]
    while pending:
        folder = pending.pop()
        if folder not in loaded:
            loaded[folder] = application = yield from _application(place, folder, index.manifest(folder))
            pending += index.find_all(_subscribed_to(application))
    registry = yield from _registry(place, customer)
    found = tuple(app for _, app in sorted(loaded.items()) if app is not None)
    return Tree(place.root, customer, registry, found)


class _Manifest(NamedTuple):
    document: Document | None
    problems: list[Problem]


class _Index:
    """Application folders by the name in their manifest, read only as far as needed: the
    folder named like the application first (the usual layout), the others only when that
    one is not it. A manifest's problems count only if its application is loaded."""

    def __init__(self, place: _Place, folders: list[str]) -> None:
        self.place = place
        self.folders = folders
        self.manifests: dict[str, _Manifest] = {}

    def manifest(self, folder: str) -> _Manifest:
        if folder not in self.manifests:
            self.manifests[folder] = _Manifest(*_run(_manifest(self.place, folder, "Application")))
        return self.manifests[folder]

    def find(self, name: str) -> str | None:
        usual = f"applications/{name}"
        first = [usual] if usual in self.folders else []
        return next((f for f in [*first, *self.folders] if self._named(f, name)), None)

    def find_all(self, names: set[str]) -> list[str]:
        return [f for f in map(self.find, sorted(names)) if f is not None]

    def _named(self, folder: str, name: str) -> bool:
        document = self.manifest(folder).document
        return document is not None and document.data.get("name") == name


def _consumers(place: _Place, folders: list[str], target: str, name: str) -> list[str]:
    """The application folders with a microservice that subscribes to ``name``."""
    return [
        folder
        for folder in folders
        if folder != target
        and any(
            _subscribes(place, ms, name) for ms in _run(_folders(place, f"{folder}/microservices"))[0].entered
        )
    ]


def _subscribes(place: _Place, folder: str, name: str) -> bool:
    """Whether the microservice in ``folder`` subscribes to the application ``name``. Its file is
    read as bytes and parsed only if it holds the name and the key as written, or a backslash
    (a double-quoted scalar may spell either with escapes); names never span lines."""
    relative = f"{folder}/{MANIFEST}"
    raw = read_file(Path(place.path(relative)), relative, documents.MAX_FILE_BYTES)
    if not isinstance(raw, bytes):
        return False
    if b"\\" not in raw and (name.encode() not in raw or b"eventHorizons" not in raw):
        return False
    document = read_document(place.root, relative)
    return isinstance(document, Document) and name in _subscribed_to_by(document)


def _subscribed_to(application: ApplicationFolder | None) -> set[str]:
    microservices = application.microservices if application is not None else ()
    return {name for ms in microservices for name in _subscribed_to_by(ms.document)}


def _subscribed_to_by(document: Document) -> set[str]:
    """The producer applications a microservice's event horizons name, in the document or an
    environment's override; any shape is read, validation comes later."""
    overrides = document.data.get("environments")
    layers = [document.data, *(overrides.values() if isinstance(overrides, dict) else ())]
    found: set[str] = set()
    for layer in layers:
        entries = layer.get("eventHorizons") if isinstance(layer, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            producer = entry.get("producer") if isinstance(entry, dict) else None
            application = producer.get("application") if isinstance(producer, dict) else None
            if isinstance(application, str):
                found.add(application)
    return found
