"""Stage 1, load: the values a loaded tree is made of, and the names of its fixed files.

``Tree`` holds the customer, the registry credentials and the applications; each
``ApplicationFolder`` its microservices and its sealed files (the backups' storage account,
each environment's kafka files); each ``MicroserviceFolder`` its document, its config
files (``ConfigFile``), its environments' folders, files and secrets.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path

from aigonix_render.foundation import record
from aigonix_render.load.documents import Document

CONFIG_MAP_LIMIT = 1024 * 1024
"""What one ConfigMap holds; a config file larger than that is never read."""


@record
class ConfigFile:
    """A file from a ``files/`` folder, destined for a ConfigMap key.

    A file over ``CONFIG_MAP_LIMIT`` is not read (``content`` is empty): its ``size`` alone
    fails validation wherever it would be published."""

    path: str
    name: str
    content: bytes
    size: int


@record
class MicroserviceFolder:
    folder: str
    document: Document
    files: tuple[ConfigFile, ...]
    environment_folders: dict[str, str] = field(default_factory=dict)
    environment_files: dict[str, tuple[ConfigFile, ...]] = field(default_factory=dict)
    secrets: dict[str, Document] = field(default_factory=dict)
    unreadable_secrets: frozenset[str] = frozenset()


@record
class ApplicationFolder:
    folder: str
    document: Document
    microservices: tuple[MicroserviceFolder, ...]
    storage_account: Document | None = None
    kafka_files: dict[str, Document] = field(default_factory=dict)
    """Each environment's sealed kafka files, by the name of its folder."""
    validated_before: bool = False
    """Its inputs are those a render with this very code validated (``load_tree``'s
    ``validated_before``: an application an incremental render keeps whole). Every file was
    looked at, refused or warned about as always, but its secrets and sealed files were not
    parsed (``secrets``, ``storage_account`` and ``kafka_files`` are empty); validation checks
    neither its documents one by one nor one application's rules on it, only the rules that
    read the whole tree (``validate.validate_root``). Such an application is never rendered."""


@record
class Tree:
    root: Path
    customer: Document | None
    registry: Document | None
    applications: tuple[ApplicationFolder, ...]
