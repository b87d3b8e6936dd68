"""``validate``'s verdicts per application, kept where only this user writes.

Rendering and checking a tree of 1,000 microservices costs seconds; a commit mostly changes
one application. So each application's ``check.Verdict`` is kept in the user's cache folder
(``$XDG_CACHE_HOME/aigonix-render/validate``, by ``foundation.user_cache``'s rules, created
0700, used only when it is a real folder of this user's that nobody else can write in),
under a key that names aigonix-render's code (``write.TreeInputs.tool``), the digest of every
input file its folders' render reads (``write.folder_sources``, as the marker's), which of
those files the loader took (ignored and untracked files are absent), and the output
folders (each a checked cache entry: ``foundation.read_entry``). A verdict holds problems (positions and messages, which name input values the way
``render`` does, never a Secret's value), objects' kinds, names and paths, and the Runtimes'
database configurations. A damaged, foreign or unreadable entry is no entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from aigonix_render import __version__
from aigonix_render.check import Told, Verdict
from aigonix_render.foundation import (
    MANIFEST,
    OutputFile,
    Problem,
    Severity,
    read_entry,
    user_cache,
    write_entry,
)
from aigonix_render.load import Tree
from aigonix_render.model import Model
from aigonix_render.render import KUSTOMIZATION
from aigonix_render.write import TreeInputs, folder_sources

_FORMAT = "aigonix-render validate verdict 1"
_HEAD = f"{_FORMAT}\n".encode()


def verdict_folder(environ: Mapping[str, str]) -> Path | None:
    """The cache folder, created if missing; None unless it is safely this user's."""
    return user_cache("validate", environ)


def application_keys(
    root: Path, tree: Tree, model: Model, folders: list[str], tracked_only: bool
) -> dict[str, str]:
    """Each application's key: what its folders' render and check read."""
    inputs = TreeInputs(root, (), f"{__version__}/validate/tracked_only={tracked_only}")
    sources = folder_sources(tree, model, (f"{folder}/{KUSTOMIZATION}" for folder in folders))
    by_app: dict[str, list[str]] = {}
    for folder in folders:
        by_app.setdefault(folder.partition("/")[0], []).append(folder)
    loaded = {app.name: _loaded(tree, app.folder) for app in model.applications}
    keys = {}
    for app, own in by_app.items():
        read = sorted({source for folder in own for source in sources.get(folder, ())})
        tied = sorted({s.rstrip("/").rpartition("/")[0] for s in read if s.endswith(f"/{MANIFEST}")})
        listing = [_FORMAT, inputs.tool, inputs.section(read), *own, *loaded.get(app, [])]
        listing += [f"{folder}: {path}" for folder in tied for path in _tree_paths(tree, folder)]
        keys[app] = hashlib.sha256("\0".join(listing).encode()).hexdigest()
    return keys


def _loaded(tree: Tree, folder: str) -> list[str]:
    """The files the loader took for the customer and one application."""
    head = [f"customer: {doc.path}" for doc in (tree.customer, tree.registry) if doc is not None]
    return [*head, *_tree_paths(tree, folder)]


def _tree_paths(tree: Tree, folder: str) -> Iterator[str]:
    for app in tree.applications:
        if app.folder != folder:
            continue
        yield app.document.path
        yield from (doc.path for doc in [app.storage_account, *app.kafka_files.values()] if doc is not None)
        for ms in app.microservices:
            yield ms.document.path
            yield from (f"{f.path} {f.size}" for f in ms.files)
            for env, place in sorted(ms.environment_folders.items()):
                yield f"{env} {place}"
                yield from (f"{f.path} {f.size}" for f in ms.environment_files.get(env, ()))
            yield from (f"{env} {doc.path}" for env, doc in sorted(ms.secrets.items()))
            yield from (f"unreadable {env}" for env in sorted(ms.unreadable_secrets))


def load_verdict(folder: Path, key: str) -> Verdict | None:
    """The verdict kept under ``key``; None when there is none, or it is damaged."""
    payload = read_entry(folder / f"{key}.json", _HEAD)
    if payload is None:
        return None
    try:
        return _verdict(json.loads(payload))
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def store_verdict(folder: Path, key: str, verdict: Verdict) -> None:
    """Kept whole or not at all; a failure only costs the render and check next time."""
    write_entry(folder / f"{key}.json", _HEAD, json.dumps(_plain(verdict), separators=(",", ":")).encode())


def _problem(p: Problem) -> list[Any]:
    return [p.file, p.line, p.column, p.message, p.severity.value]


def _plain(verdict: Verdict) -> dict[str, Any]:
    return {
        "told": [[list(t.place), _problem(t.problem), t.kind, t.name, t.namespace] for t in verdict.told],
        "collisions": [_problem(p) for p in verdict.collisions],
        "identities": [list(i) for i in verdict.identities],
        "paths": list(verdict.paths),
        "databases": [[list(place), file.path, file.text] for place, file in verdict.databases],
    }


def _read_problem(fields: list[Any]) -> Problem:
    file, line, column, message, severity = fields
    return Problem(_text(file), _number(line), _number(column), _text(message), Severity(severity))


def _verdict(data: dict[str, Any]) -> Verdict:
    return Verdict(
        told=tuple(
            Told(_place(place), _read_problem(problem), _text(kind), _text(name), _optional(namespace))
            for place, problem, kind, name, namespace in data["told"]
        ),
        collisions=tuple(_read_problem(p) for p in data["collisions"]),
        identities=tuple(tuple(_optional(part) for part in identity) for identity in data["identities"]),
        paths=tuple(_text(path) for path in data["paths"]),
        databases=tuple(
            (_place(place), OutputFile(_text(path), _text(text))) for place, path, text in data["databases"]
        ),
    )


def _place(fields: list[Any]) -> tuple[int, str, int]:
    kind, folder, at = fields
    return _number(kind), _text(folder), _number(at)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a number")
    return value
