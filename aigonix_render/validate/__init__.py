"""Stage 2, validating: a ``Tree`` → the problems it has, every one at ``file:line:column``.

It takes the ``Tree`` that ``load`` read and returns ``Validation`` (the tree and its
problems). ``schema`` checks each document against the JSON Schema of its kind and drops
the parts it refused before the rules that read one field run: ``fast_schema`` is the
schema compiled into a fast check that passes valid documents, and ``schema_messages``
turns jsonschema's errors for the others into problems. ``rules`` runs the platform's
rules across documents: ``naming`` (names, labels, hosts and environments),
``microservice_values`` (images, ports, probes, paths, env variables, config files and
secrets), ``horizons`` (event horizons), ``sops_files`` (SOPS-encrypted inputs) and
``adoption`` (imported trees, routes; ``listeners``: a Gateway's listeners; ``routes``: the
tenants a microservice's routes send). ``claims`` says what one application claims that no
other may have (its name, id, hosts and microservice ids), for those rules and for the
ownership marker. Offered: ``validate_root``, ``validate_tree``, ``Validation``,
``application_claims``.
"""

from __future__ import annotations

from aigonix_render.validate.claims import application_claims
from aigonix_render.validate.naming import MICROSERVICE_NAME_RULE, STUDIO_MICROSERVICE_NAME
from aigonix_render.validate.schema import Validation, validate_root, validate_tree

__all__ = [
    "MICROSERVICE_NAME_RULE",
    "STUDIO_MICROSERVICE_NAME",
    "Validation",
    "application_claims",
    "validate_root",
    "validate_tree",
]
