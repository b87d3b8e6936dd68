"""The digests of a render's inputs: aigonix-render itself, and per output folder the tree's
files that folder's render reads.

Equal digests mean an equal render, so a render whose marker carries the same digests and
whose files are untouched has nothing to do. Only the files the loader reads count (the
manifests, ``files/``, ``secrets.yaml``, an application's sealed files, the registry
credentials): a key file, an editor's backup or any other untracked file beside them is no
input, so every clone of one commit
has the same marker. Only the standard library is imported here: the no-op path must start
fast.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aigonix_render.foundation import (
    APPLICATIONS,
    KAFKA_FILES,
    MANIFEST,
    SECRETS,
    STORAGE_ACCOUNT,
    package_folder,
    tree_relative,
    unpublished,
)
from aigonix_render.write.known import Known
from aigonix_render.write.walk import LINK, entry_digest, folders, manifests_at_unknown_places, names

if TYPE_CHECKING:
    from aigonix_render.foundation import Ignored

Section = tuple[str, tuple[str, ...]]  # an output folder's input digest, and its sources


def tool_digest(settings: str) -> str:
    """A digest of aigonix-render itself (its Python files, templates and schemas) and of the
    settings that change a render: another version renders anew."""
    digest = hashlib.sha256(settings.encode())
    tool = [
        ("code", str(Path(__file__).parents[1]), _is_code),
        ("templates", package_folder("aigonix_render.templates"), None),
        ("schemas", package_folder("aigonix_render.schemas"), None),
    ]
    for label, folder, wanted in tool:
        start = len(folder) + 1
        for entry in _tool_entries(folder, wanted):
            digest.update(f"{label}:".encode() + os.fsencode(entry.path[start:]) + b"\0")
            digest.update(entry_digest(entry.path))
    return "sha256:" + digest.hexdigest()


def _is_code(name: str) -> bool:
    """aigonix-render's own files that change a render: its Python modules."""
    return name.endswith(".py")


def _tool_entries(folder: str, wanted: Callable[[str], bool] | None) -> Iterator[os.DirEntry[str]]:
    """Every file of a folder of aigonix-render, in name order, depth first (no caches)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not entry.name.startswith(".") and entry.name != "__pycache__":
                yield from _tool_entries(entry.path, wanted)
        elif wanted is None or wanted(entry.name):
            yield entry


_NAME = operator.attrgetter("name")


class TreeInputs:
    """The tree's input files, each digested at most once per run.

    A source is a file (``aigonix.yaml``, ``applications/shop/aigonix.yaml``) or an
    application folder with a trailing ``/`` (``applications/shop/``: every file the loader
    reads in it). ``section`` digests an output folder's sources; ``covers`` tells whether
    the sections of a marker name every application of the tree and nothing else is input;
    ``refused``, whether the load would refuse an input whose bytes did not change (what git
    ignores, and under ``strict`` an editor's leftover among config files). ``known``: the
    digests a previous run remembered (``known``), kept again by ``save``. ``settings`` and
    ``strict`` are part of aigonix-render's digest (``tool``).
    """

    def __init__(
        self,
        root: Path,
        exclude: Sequence[Path],
        settings: str,
        known: Known | None = None,
        strict: bool = False,
    ) -> None:
        self.root = str(root)
        self._root = root
        self.exclude = frozenset(os.path.realpath(p) for p in exclude)
        self.settings = settings
        self.strict = strict
        self._digests: dict[str, bytes] = {}
        self._tool: str | None = None
        self._known = known
        self._links: dict[str, str | None] = {}
        self._outside: set[str] = set()
        self._leftovers: list[str] = []

    @property
    def tool(self) -> str:
        if self._tool is None:
            self._tool = tool_digest(f"{self.settings}/strict={self.strict}")
        return self._tool

    def applications(self) -> list[str]:
        """The application folders (``applications/<name>/``) the loader enters."""
        return [f"{folder}/" for folder in folders(self.root, APPLICATIONS, self.exclude)]

    def warm(self) -> None:
        """Digest every application now, before the tree is loaded: what changes during the
        render then makes the next render differ, never the other way round."""
        for source in (MANIFEST, *self.applications()):
            self.source(source)

    def section(self, sources: Sequence[str]) -> str:
        digest = hashlib.sha256()
        for source in sorted(set(sources)):
            digest.update(os.fsencode(source) + b"\0" + self.source(source))
        return "sha256:" + digest.hexdigest()

    def sections(self, sources: Mapping[str, Sequence[str]]) -> dict[str, Section]:
        """Each output folder's digest and (sorted) sources."""
        return {folder: (self.section(found), tuple(sorted(set(found)))) for folder, found in sources.items()}

    def covers(self, sections: Mapping[str, Section]) -> bool:
        """Every application folder is some section's source, and no manifest lies at a place
        where validation would refuse it (the marker would hide that error)."""
        return self.names_every_application(sections) and self.stray_manifest() is None

    def names_every_application(self, sections: Mapping[str, Section]) -> bool:
        """Every application folder is some section's source."""
        named = {source for _, found in sections.values() for source in found if source.endswith("/")}
        return set(self.applications()) <= named

    def stray_manifest(self) -> str | None:
        """A manifest at a place where validation would refuse it, or None."""
        return next(manifests_at_unknown_places(self.root, self.exclude), None)

    def source(self, source: str) -> bytes:
        if source not in self._digests:
            outside = not source.startswith(f"{APPLICATIONS}/")
            if outside:
                self._outside.add(source)
            if source.endswith("/"):
                self._digests[source] = self._application(source.rstrip("/"))
            else:
                self._digests[source] = self._file(source, named=outside)
        return self._digests[source]

    def _file(self, relative: str, named: bool = False) -> bytes:
        """What is at ``relative``; a symlink also by where it leads in the end (a link on
        the way may change, outside the application), as a path in the tree or outside it.
        ``named``: a path the customer file names (the registry credentials), which may
        also pass through a symlinked folder, so it is placed the same way."""
        path = f"{self.root}/{relative}"
        digest = entry_digest(path) if self._known is None else self._known.entry_digest(relative, path)
        if named or digest.startswith(LINK):
            target = self._inside(path)
            if target != relative:
                self._links[relative] = target
                digest += b"at:" + os.fsencode(target or "") + b"\0"
        return digest

    def _inside(self, path: str) -> str | None:
        """Where ``path`` leads, relative to the root; None outside it."""
        return tree_relative(self._root, path)

    def refused(self, ignored: Ignored) -> str | None:
        """An input digested so far that the load refuses although its bytes are unchanged,
        or None: one git now ignores (or a symlink leading to such), and under ``strict`` an
        editor's leftover among the config files (git ignoring it or not). A no-op render
        that takes such a tree for up to date would pass what a render refuses."""
        if self.strict and self._leftovers:
            return self._leftovers[0]
        inputs: list[str] | None = None
        for entry in sorted(ignored.files | ignored.folders):
            if self._may_hold_input(entry):
                inputs = inputs if inputs is not None else self._files()
                found = _at_or_under(inputs, entry.rstrip("/"))
                if found is not None:
                    return found
        for relative, target in self._links.items():
            if target is not None and (ignored.holds(target) or ignored.holds(f"{target}/")):
                return relative
        return None

    def _files(self) -> list[str]:
        """The input files digested so far, sorted: not folders (one git ignores as a whole
        for what it holds, say a ``.DS_Store``, is no input the load refuses) nor absent."""
        return sorted(p for p, d in self._digests.items() if not p.endswith("/") and d not in _NO_FILE)

    def _may_hold_input(self, entry: str) -> bool:
        """Whether an ignored path may be or hold an input: under ``applications/`` or on the
        way to it, or a file source's (the customer file, the registry credentials)."""
        if entry.startswith(f"{APPLICATIONS}/") or f"{APPLICATIONS}/".startswith(entry):
            return True
        return any(source.startswith(entry) for source in self._outside)

    def save(self) -> None:
        """Remember the digests of this run for the next (after ``warm``: of every input)."""
        if self._known is not None:
            self._known.save()

    def _application(self, folder: str) -> bytes:
        digest = hashlib.sha256()
        for relative in _application_inputs(self.root, folder, self.exclude, self._leftovers):
            entry = self._file(relative)
            self._digests.setdefault(relative, entry)
            digest.update(os.fsencode(relative) + b"\0" + entry)
        return digest.digest()


_NO_FILE = frozenset({b"absent", b"dir", b"dir:unlistable"})
"""The digests (``walk.entry_digest``) of an input that is no file."""


def _at_or_under(inputs: list[str], path: str) -> str | None:
    """The first of the sorted ``inputs`` that is ``path`` or lies under it, or None."""
    at = bisect.bisect_left(inputs, path)
    if at < len(inputs) and inputs[at] == path:
        return path
    at = bisect.bisect_left(inputs, f"{path}/")
    return inputs[at] if at < len(inputs) and inputs[at].startswith(f"{path}/") else None


def _application_inputs(root: str, app: str, exclude: frozenset[str], leftovers: list[str]) -> Iterator[str]:
    """What the loader reads of one application: its manifest, its sealed files (the storage
    account, each environment's kafka files), each microservice's manifest,
    ``files/``, and each environment's ``files/`` and secrets file, with the folders on the
    way (a folder that holds only what is no input counts as absent: git keeps no empty
    folder, so a clone may lack it). The editors' leftovers among config files, which the
    loader leaves out with a warning, go to ``leftovers``."""
    yield app
    yield f"{app}/{MANIFEST}"
    yield f"{app}/{STORAGE_ACCOUNT}"
    yield from _container(root, f"{app}/environments")
    for environment in folders(root, f"{app}/environments", exclude):
        yield environment
        yield f"{environment}/{KAFKA_FILES}"
    yield from _container(root, f"{app}/microservices")
    for microservice in folders(root, f"{app}/microservices", exclude):
        yield microservice
        yield f"{microservice}/{MANIFEST}"
        yield from _config_files(root, f"{microservice}/files", leftovers)
        yield from _container(root, f"{microservice}/environments")
        for environment in folders(root, f"{microservice}/environments", exclude):
            yield environment
            yield from _config_files(root, f"{environment}/files", leftovers)
            yield f"{environment}/{SECRETS}"


def _config_files(root: str, folder: str, leftovers: list[str]) -> Iterator[str]:
    yield from _container(root, folder)
    for name in names(root, folder):
        if unpublished(name):
            leftovers.append(f"{folder}/{name}")
        else:
            yield f"{folder}/{name}"


def _container(root: str, folder: str) -> Iterator[str]:
    """A folder of folders or files counts by what it holds, unless it is no plain folder
    that can be listed (a symlink, a file, a folder that cannot be read): that counts too."""
    path = f"{root}/{folder}"
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there, or nothing that can be looked at: absent
        return
    if not (stat.S_ISDIR(mode) and os.access(path, os.R_OK | os.X_OK)):
        yield folder
