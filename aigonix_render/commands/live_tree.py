"""The tree's side of ``diff --live``: what it renders into one application namespace.

The application is the one whose namespace (``application-<id>``) the live objects are in;
its ``_shared`` objects and those of each of its environments are rendered in memory, as
``generate`` renders them for Argo CD. Its Secrets, and the ConfigMaps sealed like them (an
environment's kafka files), are decrypted in memory (``generate``'s path:
``decrypt_sources`` and ``reveal``), one source file at a time: a source no key opens is
compared by its keys alone, and said so, rather than failing the whole comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from aigonix_render.commands.importer import DumpError
from aigonix_render.commands.pipeline import valid_model
from aigonix_render.foundation import InvalidInput, Problem, SopsError, record
from aigonix_render.model import Application, Model, find_environment
from aigonix_render.render import PendingSecret, Rendering, Templates, render_environment, render_shared
from aigonix_render.seal import (
    SOPS_BINARY_VARIABLE,
    Sops,
    decrypt_sources,
    reveal,
    secret_text,
    with_tree_key,
)

Key = tuple[str, str]
"""An object of the namespace: its kind and its name."""


@record
class TreeSide:
    """The objects the tree renders into ``namespace``, by kind and name.

    ``masked`` are the Secrets whose values no key could decrypt (compared by their keys);
    ``unopened`` the source files of those Secrets; ``sealed`` every object whose values
    were sealed (Secrets, and ConfigMaps that hold secrets), never to be shown.
    """

    application: str
    objects: Mapping[Key, Mapping[str, Any]]
    masked: frozenset[Key]
    unopened: tuple[str, ...]
    problems: tuple[Problem, ...]
    exact: bool = False
    """The tree asks for exact adoption: the render's own labels and fingerprint count too."""
    sealed: frozenset[Key] = frozenset()


def tree_side(root: Path, namespace: str, environ: Mapping[str, str], strict: bool) -> TreeSide:
    """Validate the tree, find the application of ``namespace`` and render it in memory."""
    from aigonix_render.check import check_rendering

    root = root.resolve()
    valid = valid_model(root, strict)
    application = _application(valid.model, namespace)
    templates = Templates()
    renderings = [render_shared(valid.model, application, templates)]
    for name in application.environments:
        app_env = find_environment(valid.model, application, name)
        if app_env is not None:
            renderings.append(render_environment(valid.model, app_env, templates))
    refused = [p for r in renderings for p in check_rendering(r, valid.model, valid.tree)]
    if refused:
        raise InvalidInput(refused)
    objects: dict[Key, Mapping[str, Any]] = {}
    for rendering in renderings:
        objects.update(_objects(rendering))
    pending = [secret for rendering in renderings for secret in rendering.secrets]
    secrets, masked, unopened = _secrets(pending, root, templates, environ)
    objects.update(secrets)
    exact = valid.model.customer.exact_adoption
    problems = tuple(valid.problems)
    return TreeSide(application.name, objects, masked, unopened, problems, exact, frozenset(secrets))


def _application(model: Model, namespace: str) -> Application:
    found = next((a for a in model.applications if a.namespace == namespace), None)
    if found is None:
        known = ", ".join(f"{a.name} ({a.namespace})" for a in model.applications) or "none"
        raise DumpError(
            f"{namespace}: no application of the tree lives in this namespace; the tree's: {known}"
        )
    return found


def _objects(rendering: Rendering) -> dict[Key, Mapping[str, Any]]:
    found: dict[Key, Mapping[str, Any]] = {}
    for file in rendering.objects:
        obj = yaml.safe_load(file.text)
        found[(obj["kind"], obj["metadata"]["name"])] = obj
    return found


def _secrets(
    pending: list[PendingSecret], root: Path, templates: Templates, environ: Mapping[str, str]
) -> tuple[dict[Key, Mapping[str, Any]], frozenset[Key], tuple[str, ...]]:
    """Each Secret (or sealed ConfigMap) with its values, or, where its source does not
    decrypt, with empty ones."""
    sops = Sops(with_tree_key(environ, root), binary_only=environ.get(SOPS_BINARY_VARIABLE) == "1")
    found: dict[Key, Mapping[str, Any]] = {}
    masked: set[Key] = set()
    unopened: list[str] = []
    for source in sorted({p.source for p in pending}):
        group = [p for p in pending if p.source == source]
        try:
            decrypted = decrypt_sources(group, root, sops, 1)
        except SopsError:
            unopened.append(source)
            decrypted = None
        for secret in group:
            key = (secret.meta.kind, secret.meta.name)
            if decrypted is None:
                keys = (".dockerconfigjson",) if secret.docker_server else secret.keys
                text = secret_text(templates, secret, dict.fromkeys(keys, ""), "")
                masked.add(key)
            else:
                text = reveal(secret, decrypted, templates)
            found[key] = yaml.safe_load(text)
    return found, frozenset(masked), tuple(unopened)
