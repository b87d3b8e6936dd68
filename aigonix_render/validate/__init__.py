"""Stage 2, validating: a ``Tree`` → the problems it has, every one at ``file:line:column``.

It takes the ``Tree`` that ``load`` read and returns ``Validation`` (the tree and its
problems). ``schema`` checks each document against the JSON Schema of its kind (with a
compiled fast path for valid documents and jsonschema's own messages for invalid ones);
``rules`` holds the platform's rules across documents, with ``horizons`` (event
horizons), ``sops_files`` (SOPS-encrypted inputs) and ``adoption`` (imported trees) beside
it. Offered: ``validate_root``, ``validate_tree``, ``Validation``.
"""

from __future__ import annotations

from aigonix_render.validate.schema import Validation, validate_root, validate_tree

__all__ = [
    "Validation",
    "validate_root",
    "validate_tree",
]
