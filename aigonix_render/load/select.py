"""Stage 1, load: what rendering one application needs (``generate``), and no more.

``one_application`` loads the customer and its registry credentials, the application,
every application with a microservice that subscribes to it, and the applications all of
those subscribe to, so that each one's model can be built. Application folders are found
by the name in their manifest (``_Index``), read only as far as needed; a microservice is
parsed to see whom it subscribes to only if its bytes could name the application
(``may_subscribe``): the other applications' folders are scanned with one ``scandir`` each
and their manifests read with four system calls, and only an application with such a
manifest is walked and read the usual way (``place``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aigonix_render.foundation import MANIFEST
from aigonix_render.load.documents import Document, read_document
from aigonix_render.load.folders import read_application, read_registry
from aigonix_render.load.place import Loading, Manifest, Place, child_folders, read_manifest, run
from aigonix_render.load.reading import MAX_FILE_BYTES, read_file
from aigonix_render.load.strays import stray_manifests
from aigonix_render.load.values import ApplicationFolder, Tree


def one_application(place: Place, name: str) -> Loading[Tree | None]:
    """What rendering the application ``name`` needs, or None when no application has that name.

    The customer and its registry credentials; the application; every application with a
    microservice that subscribes to it (``_consumers``); and the applications all of those
    subscribe to, and so on, so that each one's model can be built. Argo CD renders every
    application on every commit: the cost follows the application, not the tree. Checks
    across the whole tree (unique names, ids and hosts; manifests at unknown places) are
    ``validate``'s, in pre-commit and CI."""
    customer = yield from read_manifest(place, "", "Customer")
    index = _Index(place, (yield from child_folders(place, "applications")).entered)
    target = index.find(name)
    if target is None:
        return None
    found = yield from _with_producers(index, [target, *_consumers(place, index.folders, target, name)])
    registry = yield from read_registry(place, customer)
    return Tree(place.root, customer, registry, found)


def some_applications(
    place: Place, folders: frozenset[str], validated_before: frozenset[str]
) -> Loading[Tree]:
    """The application folders ``folders`` and the applications their microservices
    subscribe to, and so on, so that each one's model can be built (an incremental render:
    the applications a change reaches, ``commands.partial``); the customer, its registry
    credentials and the walk for manifests at unknown places as in the whole tree. Those in
    ``validated_before`` are loaded as such (``ApplicationFolder.validated_before``)."""
    yield from stray_manifests(place)
    customer = yield from read_manifest(place, "", "Customer")
    index = _Index(place, (yield from child_folders(place, "applications")).entered)
    pending = [folder for folder in index.folders if folder in folders]
    found = yield from _with_producers(index, pending, validated_before)
    registry = yield from read_registry(place, customer)
    return Tree(place.root, customer, registry, found)


def _with_producers(
    index: _Index, pending: list[str], validated_before: frozenset[str] = frozenset()
) -> Loading[tuple[ApplicationFolder, ...]]:
    """The application folders ``pending`` and those their microservices subscribe to, and
    so on (each one's model needs its producers), in folder order; those in
    ``validated_before`` loaded as such."""
    loaded: dict[str, ApplicationFolder | None] = {}
    while pending:
        folder = pending.pop()
        if folder not in loaded:
            before = folder in validated_before
            application = yield from read_application(
                index.place, folder, index.manifest(folder), validated_before=before
            )
            loaded[folder] = application
            pending += index.find_all(_subscribed_to(application))
    return tuple(app for _, app in sorted(loaded.items()) if app is not None)


class _Index:
    """Application folders by the name in their manifest, read only as far as needed: the
    folder named like the application first (the usual layout), the others only when that
    one is not it. A manifest's problems count only if its application is loaded."""

    def __init__(self, place: Place, folders: list[str]) -> None:
        self.place = place
        self.folders = folders
        self.manifests: dict[str, Manifest] = {}

    def manifest(self, folder: str) -> Manifest:
        if folder not in self.manifests:
            self.manifests[folder] = Manifest(*run(read_manifest(self.place, folder, "Application")))
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


def _consumers(place: Place, folders: list[str], target: str, name: str) -> list[str]:
    """The application folders with a microservice that subscribes to ``name``."""
    return [
        folder
        for folder in folders
        if folder != target and any(_subscribes(place, ms, name) for ms in _candidates(place, folder, name))
    ]


def _candidates(place: Place, folder: str, name: str) -> list[str]:
    """The microservice folders of the application ``folder`` that may subscribe to ``name``:
    the folders the walk enters (``child_folders``) whose manifest's bytes could name it.

    Argo CD runs ``generate`` for every Application on every commit, and every other
    application's microservices are looked at: the folder is listed with one ``scandir``
    and each manifest read with four system calls; ``child_folders`` walks (and says which
    folders count) only where a manifest could name the application. A folder that cannot
    be scanned is walked as usual."""
    parent = f"{folder}/microservices"
    try:
        with os.scandir(place.path(parent)) as entries:
            names = [
                e.name for e in entries if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return run(child_folders(place, parent))[0].entered
    needle = name.encode()
    if not any(may_subscribe(manifest_bytes(place.path(f"{parent}/{n}/{MANIFEST}")), needle) for n in names):
        return []
    return run(child_folders(place, parent))[0].entered


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def manifest_bytes(path: str) -> bytes | None:
    """The bytes of the regular file at ``path`` (a symlink followed, as ``read_file`` does),
    None for anything ``read_file`` would not read as bytes either: nothing there, no
    regular file (opened without blocking and never read, so a FIFO cannot hang), over the
    size limit, unreadable. A file cut short while read is returned as far as it was read: it is read
    again the usual way if it may name the application, and is none of its subscribers if
    not (the tree changed during the run)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        return _read_whole(descriptor, info.st_size)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _read_whole(descriptor: int, size: int) -> bytes:
    """Up to ``size + 1`` bytes (one read, as a regular file gives them, or more if short)."""
    chunks = [os.read(descriptor, size + 1)]
    total = len(chunks[0])
    while chunks[-1] and total <= size:
        chunks.append(os.read(descriptor, size + 1 - total))
        total += len(chunks[-1])
    return b"".join(chunks)


_PLAIN_NAME = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def may_subscribe(raw: bytes | None, name: bytes) -> bool:
    """Whether a microservice manifest's bytes could subscribe to the application ``name``
    (UTF-8). YAML can give a scalar without its bytes only through a double-quoted scalar's
    escapes (``"\\x61pp"``, a ``\\`` line break) or by folding lines into spaces; a tag, an
    anchor, an alias, quotes, flow or block style all leave ``name`` and ``eventHorizons``
    (the key) in the bytes as written. So: a manifest with a backslash could, one with both
    the name and the key could, any other cannot; a name with characters outside letters,
    digits, ``-``, ``_``, ``.`` (a space could be a folded line) turns the filter off."""
    if raw is None:
        return False
    if not name or not _PLAIN_NAME.issuperset(name):
        return True
    return b"\\" in raw or (name in raw and b"eventHorizons" in raw)


def _subscribes(place: Place, folder: str, name: str) -> bool:
    """Whether the microservice in ``folder`` subscribes to the application ``name``, read as
    the walk reads a manifest (``read_file``, then parsed)."""
    relative = f"{folder}/{MANIFEST}"
    raw = read_file(Path(place.path(relative)), relative, MAX_FILE_BYTES)
    if not isinstance(raw, bytes) or not may_subscribe(raw, name.encode()):
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
