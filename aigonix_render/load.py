"""Stage 1, load: the folders of an input tree → a ``Tree`` of documents and config files.

This module walks the fixed places of the tree; ``documents`` reads each YAML file. The
walk is small generator functions that yield the problems they find (files at unknown
places, kinds in the wrong place, unreadable files) and return what they loaded, so
problems are values and no object collects them on the side.

Every folder of the tree is entered through ``_listing`` and every file read through
``documents.read_file``: those two places refuse what cannot be input (symlinked folders,
FIFOs, devices, huge or unreadable files) so no walk can skip or hang on it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import NamedTuple, TypeVar

from aigonix_render.documents import Document, TooLarge, cannot_read, inside_root, read_document, read_file
from aigonix_render.problems import Problem, Severity, printable

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
    """The resolved root being loaded and the folders to leave out (the output)."""

    root: Path
    exclude: tuple[Path, ...]

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def excluded(self, path: Path) -> bool:
        return any(path == ex for ex in self.exclude)


def load_tree(root: Path, exclude: Sequence[Path] = ()) -> tuple[Tree, list[Problem]]:
    """Read every input file under ``root``; ``exclude`` lists folders to skip (the output)."""
    steps = _tree(_Place(root.resolve(), tuple(p.resolve() for p in exclude)))
    problems: list[Problem] = []
    while True:
        try:
            problems.append(next(steps))
        except StopIteration as done:
            return done.value, problems


def _tree(place: _Place) -> Loading[Tree]:
    for stray in sorted(_find_manifests(place)):
        if not _known_place(stray):
            yield Problem(stray.as_posix(), 1, 1, _UNKNOWN_PLACE)
    customer = yield from _manifest(place, Path(), "Customer")
    applications = yield from _applications(place)
    registry = yield from _registry(place, customer)
    return Tree(place.root, customer, registry, applications)


_UNKNOWN_PLACE = (
    "aigonix.yaml at an unknown place: the tree holds it only at the root, in "
    "applications/<app>/ and in applications/<app>/microservices/<microservice>/"
)


def _find_manifests(place: _Place) -> Iterator[Path]:
    for folder, dirs, files in os.walk(place.root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not place.excluded(here / d))
        if MANIFEST in files:
            yield (here / MANIFEST).relative_to(place.root)


def _known_place(manifest: Path) -> bool:
    """The three places a manifest may be: the root, an application, a microservice."""
    parts = manifest.parts
    return (
        len(parts) == 1
        or (len(parts) == 3 and parts[0] == "applications")
        or (len(parts) == 5 and parts[0] == "applications" and parts[2] == "microservices")
    )


def _manifest(place: _Place, folder: Path, kind: str) -> Loading[Document | None]:
    """The folder's manifest; a folder without one is an error, never silently skipped."""
    relative = folder / MANIFEST
    if _absent(place.root / relative):
        whose = "the root" if folder == Path() else "this folder"
        yield Problem(relative.as_posix(), 1, 1, f"missing: {whose} needs an aigonix.yaml of kind {kind}")
        return None
    document = yield from _read(place, relative)
    if document is None or document.data.get("kind") == kind:
        return document
    found = document.data.get("kind")
    where = ["kind"] if "kind" in document.data else []
    message = f"this place holds a {kind}, not {found!r}" if found else f"kind: {kind} is missing"
    yield document.problem(where, message)
    return None


def _absent(path: Path) -> bool:
    """Nothing at ``path``; what cannot be checked is not absent (reading it says why)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _read(place: _Place, relative: Path, sensitive: bool = False) -> Loading[Document | None]:
    read = read_document(place.root, relative, sensitive)
    if isinstance(read, Problem):
        yield read
        return None
    return read


def _applications(place: _Place) -> Loading[tuple[ApplicationFolder, ...]]:
    found = []
    for folder in (yield from _folders(place, place.root / "applications")).entered:
        relative = folder.relative_to(place.root)
        document = yield from _manifest(place, relative, "Application")
        microservices = yield from _microservices(place, folder)
        if document is not None:
            found.append(ApplicationFolder(relative.as_posix(), document, microservices))
    return tuple(found)


def _microservices(place: _Place, app: Path) -> Loading[tuple[MicroserviceFolder, ...]]:
    found = []
    for folder in (yield from _folders(place, app / "microservices")).entered:
        document = yield from _manifest(place, folder.relative_to(place.root), "Microservice")
        if document is not None:
            found.append((yield from _microservice(place, folder, document)))
    return tuple(found)


class _Folders(NamedTuple):
    entered: list[Path]
    refused: list[Path]
    """Folders that are there but cannot be entered; a problem names each."""


def _folders(place: _Place, parent: Path) -> Loading[_Folders]:
    """The folders in ``parent`` (applications, microservices, environments), sorted.

    Hidden folders and the output are not input; files beside the folders are ignored."""
    folders = _Folders([], [])
    for name in (yield from _listing(place, parent)):
        child = parent / name
        if name.startswith(".") or place.excluded(child) or os.path.isfile(child):
            continue
        real = yield from _real_folder(place, child)
        (folders.entered if real else folders.refused).append(child)
    return folders


def _listing(place: _Place, folder: Path) -> Loading[list[str]]:
    """The names in a folder of the tree, sorted; none when it is absent.

    Every walk of the tree's folders passes here, so none can skip a folder it cannot
    enter: skipping one would drop its workloads from the output, and Flux, which prunes,
    would delete them from the cluster. Such a folder is an error that names it.
    """
    if not (yield from _real_folder(place, folder)):
        return []
    try:
        return sorted(os.listdir(folder))
    except OSError as error:
        yield Problem(place.relative(folder), 1, 1, cannot_read(error))
        return []


_REAL_FOLDERS = (
    "applications/, microservices/, environments/, files/ and the folders in them must be real folders"
)


def _real_folder(place: _Place, path: Path) -> Loading[bool]:
    """Whether ``path`` is a real folder to enter; an absent one is no problem."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as error:
        yield Problem(place.relative(path), 1, 1, cannot_read(error))
        return False
    if not stat.S_ISDIR(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "not a folder"
        yield Problem(place.relative(path), 1, 1, f"{kind}: {_REAL_FOLDERS}")
        return False
    if printable(path.name) != path.name:
        message = "a folder name that is not UTF-8 or holds control characters: rename the folder"
        yield Problem(place.relative(path), 1, 1, message)
        return False
    return True


def _microservice(place: _Place, folder: Path, document: Document) -> Loading[MicroserviceFolder]:
    environments = yield from _folders(place, folder / "environments")
    env_files: dict[str, tuple[ConfigFile, ...]] = {}
    for env in environments.entered:
        env_files[env.name] = yield from _files(place, env / "files")
    secrets, unreadable = yield from _secrets(place, environments.entered)
    unreadable |= {env.name for env in environments.refused}
    files = yield from _files(place, folder / "files")
    env_folders = {env.name: place.relative(env) for env in [*environments.entered, *environments.refused]}
    relative = place.relative(folder)
    return MicroserviceFolder(
        relative, document, files, env_folders, env_files, secrets, frozenset(unreadable)
    )


def _secrets(place: _Place, environments: list[Path]) -> Loading[tuple[dict[str, Document], set[str]]]:
    """Each environment's secrets file, and the environments whose file could not be read."""
    secrets: dict[str, Document] = {}
    unreadable: set[str] = set()
    for env in (e for e in environments if not _absent(e / SECRETS)):
        secret = yield from _read(place, env.relative_to(place.root) / SECRETS, sensitive=True)
        if secret is None:
            unreadable.add(env.name)
        else:
            secrets[env.name] = secret
    return secrets, unreadable


def _files(place: _Place, folder: Path) -> Loading[tuple[ConfigFile, ...]]:
    found = []
    for name in (yield from _listing(place, folder)):
        config = yield from _config_file(place, folder / name)
        if config is not None:
            found.append(config)
    return tuple(found)


def _config_file(place: _Place, entry: Path) -> Loading[ConfigFile | None]:
    relative = place.relative(entry)
    if unpublished(entry.name):
        message = f"{entry.name!r} is left out: hidden files and editor leftovers never go into a ConfigMap"
        yield Problem(relative, 1, 1, message, Severity.WARNING)
    elif not inside_root(place.root, entry):
        yield Problem(relative, 1, 1, "a symlink leading outside the repository cannot be a config file")
    elif os.path.isdir(entry):
        yield Problem(
            relative, 1, 1, "folders are not allowed under files/ (a ConfigMap key cannot hold '/')"
        )
    else:
        return (yield from _config_content(relative, entry))
    return None


def _config_content(relative: str, entry: Path) -> Loading[ConfigFile | None]:
    read = read_file(entry, relative, CONFIG_MAP_LIMIT)
    if isinstance(read, Problem):
        yield read
        return None
    if isinstance(read, TooLarge):
        return ConfigFile(relative, entry.name, b"", read.size)
    return ConfigFile(relative, entry.name, read, len(read))


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


def unpublished(name: str) -> bool:
    """Files no one publishes on purpose: hidden ones (``.env``, ``.DS_Store``,
    ``.gitignore``, ``.#name``) and the leftovers of editors, patches and file managers."""
    return any(fnmatchcase(name, pattern) for pattern in _LEFTOVERS)


def _registry(place: _Place, customer: Document | None) -> Loading[Document | None]:
    credentials = (customer.data.get("registry") or {}) if customer else {}
    path = credentials.get("credentials") if isinstance(credentials, dict) else None
    if not isinstance(path, str) or not path:
        return None
    assert customer is not None
    target = place.root / path
    if not inside_root(place.root, target) or _absent(target):
        yield customer.problem(["registry", "credentials"], f"no such file in the repository: {path}")
        return None
    relative = Path(os.path.realpath(target)).relative_to(place.root)
    return (yield from _read(place, relative, sensitive=True))
