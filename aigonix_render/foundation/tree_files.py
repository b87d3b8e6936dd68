"""The names of a tree's files, and which files of a tree are never input: one rule for
reading the tree and for its digest."""

from __future__ import annotations

import os
import re
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
