"""The names of a tree's files, and which files of a tree are never input: one rule for
reading the tree and for its digest."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection
from fnmatch import translate
from pathlib import Path, PurePath

MANIFEST = "aigonix.yaml"
"""The customer's, each application's and each microservice's manifest."""
SECRETS = "secrets.yaml"
"""``microservices/<ms>/environments/<Env>/secrets.yaml``: a microservice's secret values."""
STORAGE_ACCOUNT = "storage-account.yaml"
"""``applications/<app>/storage-account.yaml``: the values of ``storage-account-secret``."""
KAFKA_FILES = "kafka-files.yaml"
"""``applications/<app>/environments/<Env>/kafka-files.yaml``: the ``<env>-kafka-files`` data."""
APPLICATIONS = "applications"
"""The folder of the applications, beside the customer's manifest."""

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


def tree_relative(root: PurePath, path: str | PurePath) -> str | None:
    """Where ``path`` ends up, symlinks followed, as a ``/`` path relative to ``root`` (which
    is resolved); None outside it, or for a path that cannot be (a NUL from a document)."""
    try:
        real = Path(os.path.realpath(path))
    except ValueError:
        return None
    return real.relative_to(root).as_posix() if real.is_relative_to(root) else None


def manifest_folders(
    base: str, excluded: Collection[str], skipped: Callable[[str], bool] | None = None
) -> list[str]:
    """The folders under ``base`` (relative with ``/``; ``""`` is ``base``) that hold an
    ``aigonix.yaml`` file or symlink to one, in every folder the loader could enter: not
    hidden, no symlink, not ``excluded`` (absolute paths: the output), not ``skipped``
    (relative paths, files and folders: what git does not track, under ``tracked_only``).
    The one walk of the whole tree for manifests at unknown places (the load's, the no-op's):
    one ``scandir`` per folder, whether an entry is a folder from the listing itself."""
    pending, found = [""], []
    while pending:
        folder = pending.pop()
        prefix = f"{folder}/" if folder else ""
        try:  # a folder that cannot be listed whole is left out, as the loader leaves it
            with os.scandir(f"{base}/{folder}" if folder else base) as listing:
                entries = [(entry, entry.is_dir(follow_symlinks=False)) for entry in listing]
        except OSError:
            continue
        for entry, real_folder in entries:
            if skipped is not None and skipped(prefix + entry.name):
                continue
            if real_folder:
                if not entry.name.startswith(".") and entry.path not in excluded:
                    pending.append(prefix + entry.name)
            elif entry.name == MANIFEST and not _is_folder(entry):
                found.append(folder)
    return found


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A symlink to a folder (a folder itself is known from the listing)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def known_manifest_place(folder: str) -> bool:
    """The three folders a manifest may lie in: the root, an application's, a microservice's."""
    parts = folder.split("/") if folder else []
    return (
        not parts
        or (len(parts) == 2 and parts[0] == APPLICATIONS)
        or (len(parts) == 4 and parts[0] == APPLICATIONS and parts[2] == "microservices")
    )
