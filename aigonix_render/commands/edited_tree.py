"""Validating the tree with one file's text edited in memory: nothing is copied or written.

``set`` must know that the tree still validates with the edited file before it replaces the
file. The tree is loaded once (``load_tree``, which refuses FIFOs, sockets and devices
instead of reading them), and the edited text is parsed (``parse_document``) in place of the
document loaded from that file: what else a microservice's folder holds does not depend on
its manifest's text, so this is the tree that loading it after the edit would give. No copy
of the tree, whose age keys and other private files would land in the temp folder, is made.
"""

from __future__ import annotations

import os

from aigonix_render.foundation import Problem, replace, sort_problems
from aigonix_render.load import MAX_FILE_BYTES, Document, Tree, parse_document
from aigonix_render.validate import validate_tree


def validate_edited(tree: Tree, load_problems: list[Problem], relative: str, text: str) -> list[Problem]:
    """Every problem of ``tree`` (loaded with ``load_problems``) once ``relative`` holds ``text``."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        message = f"larger than {MAX_FILE_BYTES // 1024} KiB once edited: not an aigonix.yaml this tool reads"
        return [Problem(relative, 1, 1, message)]
    document = parse_document(relative, text)
    if isinstance(document, Problem):
        return [document]
    edited = _with_document(tree, _same_file(tree, relative), document)
    return sort_problems([*load_problems, *validate_tree(edited)])


def _same_file(tree: Tree, relative: str) -> frozenset[str]:
    """The microservice manifests that are the file ``relative`` (through symlinks, which
    ``set`` edits the target of): each of them holds the edited text."""
    edited = os.path.realpath(tree.root / relative)
    return frozenset(
        ms.document.path
        for app in tree.applications
        for ms in app.microservices
        if ms.document.path == relative or os.path.realpath(tree.root / ms.document.path) == edited
    )


def _with_document(tree: Tree, paths: frozenset[str], document: Document) -> Tree:
    """``tree`` with ``document`` (under each one's own path) for the manifests at ``paths``."""
    applications = tuple(
        replace(
            app,
            microservices=tuple(
                replace(ms, document=replace(document, path=ms.document.path))
                if ms.document.path in paths
                else ms
                for ms in app.microservices
            ),
        )
        for app in tree.applications
    )
    return replace(tree, applications=applications)
