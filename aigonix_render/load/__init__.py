"""Stage 1, reading the tree: a folder on disk → ``Tree`` (the documents, config files and
secrets files of every place) and the problems met on the way.

It takes ROOT (and, for ``generate``, one application) and returns ``Tree`` plus problems
(``load_tree``, in ``loader``). ``folders`` walks the fixed places of the whole tree,
``select`` picks what one application needs (or those a change reaches), ``strays`` finds
manifests at unknown places, both from the steps in ``place`` (listing
real folders, reading a manifest, problems yielded as values); ``values`` holds the folder
values and the fixed file names; ``reading`` reads a file under size limits, never
following a symlink out of the tree and refusing bytes that hold a private key
(``secret_keys``); ``refusals`` refuses, before reading, key files by name and what git
ignores (``foundation.ignored`` asks git once per load), also where a symlink leads; ``documents``
parses every ``aigonix.yaml`` into a ``Document`` with its positions, under alias and
depth limits, and ``yaml_errors`` words the parser's errors; ``effective`` merges a
microservice's environment overrides.
"""

from __future__ import annotations

from aigonix_render.load.documents import MAX_DEPTH, MAX_VALUES, Document, PathPart, parse_document
from aigonix_render.load.effective import (
    deployed_environments,
    effective_files,
    effective_resources,
    merged_document,
    override_path,
    tenant_pairs,
)
from aigonix_render.load.loader import load_tree
from aigonix_render.load.reading import MAX_FILE_BYTES
from aigonix_render.load.values import (
    CONFIG_MAP_LIMIT,
    ApplicationFolder,
    ConfigFile,
    MicroserviceFolder,
    Tree,
)

__all__ = [
    "CONFIG_MAP_LIMIT",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
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
    "parse_document",
    "tenant_pairs",
]
