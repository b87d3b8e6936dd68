"""Stage 1, load: the low-level steps every walk of the tree is made of.

``Place`` is the root being loaded; ``Loading`` is a step of a walk: a small generator
function that yields the problems it finds and returns what it loaded, so problems are
values and no object collects them on the side (``run`` collects them at the end).

Every folder of the tree is entered through ``listing`` (or ``child_folders``, which
uses it) and every YAML file read through ``read_yaml``: those places refuse what cannot
be input (symlinked folders, FIFOs, devices, huge or unreadable files; key files and what
git ignores, ``Place.refused``) so no walk can skip, hang on or publish it. Paths inside
the walk are plain strings, relative to the root with ``/``: ``pathlib`` objects for 6,000
files cost as much again.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Generator
from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, TypeVar

from aigonix_render.foundation import MANIFEST, Problem, Question, printable, record
from aigonix_render.load.documents import Document, read_document
from aigonix_render.load.reading import cannot_read, read_text
from aigonix_render.load.refusals import refused_path

_T = TypeVar("_T")
Loading = Generator[Problem, None, _T]
"""A step of the walk: yields the problems it finds, returns what it loaded."""


@record
class Place:
    """The resolved root being loaded and the folders to leave out (the output);
    ``libyaml_marks=False`` leaves positions to ruamel (tests compare the two); ``git``:
    what git ignores under the root, which is never read (``refusals``)."""

    root: Path
    exclude: tuple[Path, ...]
    libyaml_marks: bool = True
    git: Question = field(default_factory=Question)

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

    def untracked(self, relative: str) -> bool:
        """Whether ``relative`` (a file or a folder) is absent because git does not track it
        (``tracked_only``); never without ``tracked_only``, where git is not waited for here."""
        if not self.git.tracked_only:
            return False
        answer = self.git.answer
        return answer.holds(relative) or answer.holds(f"{relative}/")

    def absent(self, relative: str) -> bool:
        """Nothing at ``relative``, or a path git does not track under ``tracked_only``."""
        return self.untracked(relative) or absent(self.path(relative))

    def refused(self, relative: str, link: bool | None = None) -> Problem | None:
        """The error that keeps the file at ``relative`` unread (a key file, ignored by git);
        ``link``: whether it is a symlink, if the caller knows."""
        return refused_path(self.root, self.git.answer, relative, link)


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def base_name(relative: str) -> str:
    return relative.rsplit("/", 1)[-1]


def run(steps: Loading[_T]) -> tuple[_T, list[Problem]]:
    problems: list[Problem] = []
    while True:
        try:
            problems.append(next(steps))
        except StopIteration as done:
            return done.value, problems


def read_manifest(place: Place, folder: str, kind: str) -> Loading[Document | None]:
    """The folder's manifest; a folder without one is an error, never silently skipped."""
    relative = join(folder, MANIFEST)
    if place.absent(relative):
        whose = "the root" if not folder else "this folder"
        yield Problem(relative, 1, 1, f"missing: {whose} needs an aigonix.yaml of kind {kind}")
        return None
    document = yield from read_yaml(place, relative)
    if document is None or document.data.get("kind") == kind:
        return document
    found = document.data.get("kind")
    where = ["kind"] if "kind" in document.data else []
    message = f"this place holds a {kind}, not {found!r}" if found else f"kind: {kind} is missing"
    yield document.problem(where, message)
    return None


class Manifest(NamedTuple):
    """A manifest read already, and the problems reading it met."""

    document: Document | None
    problems: list[Problem]


def absent(path: str) -> bool:
    """Nothing at ``path``; what cannot be checked is not absent (reading it says why)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def read_unparsed(place: Place, relative: str) -> Loading[bool]:
    """Whether ``read_yaml`` could read the file at ``relative``, every check it makes but
    the parse made (of a secrets file a render with this code parsed: its problems come
    from its bytes, which are the same)."""
    read = place.refused(relative) or read_text(place.root, relative)
    if isinstance(read, Problem):
        yield read
        return False
    return True


def read_yaml(place: Place, relative: str, sensitive: bool = False) -> Loading[Document | None]:
    read = place.refused(relative) or read_document(place.root, relative, sensitive, place.libyaml_marks)
    if isinstance(read, Problem):
        yield read
        return None
    return read


class Folders(NamedTuple):
    entered: list[str]
    refused: list[str]
    """Folders that are there but cannot be entered; a problem names each."""


def child_folders(place: Place, parent: str) -> Loading[Folders]:
    """The folders in ``parent`` (applications, microservices, environments), sorted.

    Hidden folders and the output are not input; files beside the folders are ignored."""
    folders = Folders([], [])
    for name in (yield from listing(place, parent)):
        child = join(parent, name)
        if name.startswith(".") or place.excluded(child):
            continue
        mode = yield from _mode(place, child)
        if mode is not None and _a_file(place, child, mode):
            continue
        real = mode is not None and (yield from _is_real_folder(child, mode))
        (folders.entered if real else folders.refused).append(child)
    return folders


def _a_file(place: Place, relative: str, mode: int) -> bool:
    return stat.S_ISREG(mode) or (stat.S_ISLNK(mode) and os.path.isfile(place.path(relative)))


def listing(place: Place, folder: str) -> Loading[list[str]]:
    """The names in a folder of the tree, sorted; none when it is absent.

    Every walk of the tree's folders passes here, so none can skip a folder it cannot
    enter: skipping one would drop its workloads from the output, and Flux, which prunes,
    would delete them from the cluster. Such a folder is an error that names it.
    """
    if place.untracked(folder) or not (yield from _real_folder(place, folder)):
        return []
    try:
        names = sorted(os.listdir(place.path(folder)))
        return [name for name in names if not place.untracked(join(folder, name))]
    except OSError as error:
        yield Problem(folder, 1, 1, cannot_read(error))
        return []


_REAL_FOLDERS = (
    "applications/, microservices/, environments/, files/ and the folders in them must be real folders"
)


def _real_folder(place: Place, relative: str) -> Loading[bool]:
    """Whether ``relative`` is a real folder to enter; an absent one is no problem."""
    mode = yield from _mode(place, relative)
    return mode is not None and (yield from _is_real_folder(relative, mode))


def _mode(place: Place, relative: str) -> Loading[int | None]:
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
    name = base_name(relative)
    if printable(name) != name:
        message = "a folder name that is not UTF-8 or holds control characters: rename the folder"
        yield Problem(relative, 1, 1, message)
        return False
    return True
