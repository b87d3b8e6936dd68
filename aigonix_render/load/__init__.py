"""Stage 1, reading the tree: a folder on disk → ``Tree`` (the documents, config files and
secrets files of every place) and the problems met on the way.

It takes ROOT (and, for ``generate``, one application) and returns ``Tree`` plus
problems: every ``aigonix.yaml`` parsed with its positions (``documents``), read under
size, alias and depth limits, never following a symlink out of the tree. ``folders``
walks the fixed places, ``select`` picks what one application needs, ``values`` holds
the folder values, ``effective`` merges a microservice's environment overrides.
"""

from __future__ import annotations

from aigonix_render.load.documents import Document, PathPart
from aigonix_render.load.effective import (
    deployed_environments,
    effective_files,
    effective_resources,
    merged_document,
    override_path,
    tenant_pairs,
)
from aigonix_render.load.folders import (
    CONFIG_MAP_LIMIT,
    MANIFEST,
    SECRETS,
    ApplicationFolder,
    ConfigFile,
    MicroserviceFolder,
    Tree,
    load_tree,
    unpublished,
)

__all__ = [
    "CONFIG_MAP_LIMIT",
    "MANIFEST",
    "SECRETS",
    "ApplicationFolder",
    "ConfigFile",
    "Document",
    "MicroserviceFolder",
    "PathPart",
    "Tree",
    "deployed_environments",
    "effective_files",
    "effective_resources",
    "load_tree",
    "merged_document",
    "override_path",
    "tenant_pairs",
    "unpublished",
]
