"""``generate``: one application environment as a YAML stream, for Argo CD's CMP.

An application's shared objects (namespace, ``acr``, RBAC) are a target of their own,
``--env _shared``, so that in Argo CD every object has exactly one owning Application.

Argo CD cannot decrypt SOPS, so Secrets are decrypted here and written as plain
``stringData`` on stdout only, and so is a ConfigMap sealed like a Secret (an environment's
kafka files: its ``data`` in the clear, as the platform wrote it; ``seal.reveal`` renders
each by its kind): the caller (the repo-server sidecar) passes the stream to Argo CD,
which applies it. Nothing is written to disk. The result is built whole before
anything is printed, so a failure prints nothing (an empty stream would make Argo CD
prune the application).

Argo CD calls ``generate`` for every Application on every new commit, so it reads only
what the target needs (``load.load_tree`` with ``application``): the customer, the
application, and the applications event horizons tie to it. It validates what it reads
(schema and the platform's rules); the checks across the whole tree (unique names, ids
and hosts; files at unknown places) are ``validate``'s, in pre-commit and CI.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from aigonix_render.check import check_rendering
from aigonix_render.commands.valid import valid_model  # not pipeline: it loads the writer
from aigonix_render.foundation import InvalidInput, UsageError
from aigonix_render.model import Model, find_application, find_environment
from aigonix_render.render import SHARED_FOLDER, Rendering, Templates, render_environment, render_shared

APP_VARIABLES = ("ARGOCD_ENV_AIGONIX_APP", "PARAM_APP")
ENV_VARIABLES = ("ARGOCD_ENV_AIGONIX_ENV", "PARAM_ENV")


class Target(NamedTuple):
    """The application and environment (or ``_shared``) to print; a named tuple, the
    cheapest value class to define (0.1 ms of generate's start-up, a record 0.2 ms)."""

    application: str
    environment: str


def target_from(app: str | None, env: str | None, environ: Mapping[str, str]) -> Target:
    """Options first, then the plugin's environment (``ARGOCD_ENV_*`` then ``PARAM_*``)."""
    application = app or _first(environ, APP_VARIABLES)
    environment = env or _first(environ, ENV_VARIABLES)
    if not application or not environment:
        raise UsageError(
            "generate needs --app and --env (or, in the Argo CD plugin, the AIGONIX_APP and AIGONIX_ENV "
            "environment entries or the app and env parameters)"
        )
    return Target(application, environment)


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((environ[n] for n in names if environ.get(n)), None)


def generate(root: Path, target: Target, environ: Mapping[str, str]) -> str:
    """The target's objects, then its Secrets revealed, as one stream built before printing."""
    root = root.resolve()
    valid = valid_model(root, strict=False, application=target.application)
    templates = Templates()
    rendering = _render_target(valid.model, target, templates)
    refused = check_rendering(rendering, valid.model, valid.tree)
    if refused:
        raise InvalidInput(refused)
    documents = [f.text for f in rendering.objects]
    if rendering.secrets:
        documents += _revealed(rendering, root, environ, templates)
    return "".join(f"---\n{document}" for document in documents)


def _revealed(
    rendering: Rendering, root: Path, environ: Mapping[str, str], templates: Templates
) -> list[str]:
    """The target's Secrets (and sealed ConfigMaps) with their values in the clear. Only a
    target with Secrets gets here: the seal stage, finding the tree's key (``with_tree_key``)
    and opening a value load SOPS's code, cryptography and pyrage, which a target without
    Secrets does not."""
    from aigonix_render.seal import SOPS_BINARY_VARIABLE, Sops, decrypt_sources, reveal, with_tree_key

    sops = Sops(with_tree_key(environ, root), binary_only=environ.get(SOPS_BINARY_VARIABLE) == "1")
    decrypted = decrypt_sources(rendering.secrets, root, sops, 1)
    return [reveal(pending, decrypted, templates) for pending in rendering.secrets]


def _render_target(model: Model, target: Target, templates: Templates) -> Rendering:
    """The selection happens on the model: one application's shared objects, or one of its
    environments without them (in Argo CD every object has exactly one owner)."""
    application = find_application(model, target.application)
    if application is None:
        known = ", ".join(a.name for a in model.applications)
        raise UsageError(f"there is no application {target.application!r} in this tree ({known})")
    if target.environment == SHARED_FOLDER:
        return render_shared(model, application, templates)
    app_env = find_environment(model, application, target.environment)
    if app_env is None:
        known = ", ".join([*application.environments, SHARED_FOLDER])
        raise UsageError(
            f"the application {target.application!r} has no environment {target.environment!r} ({known})"
        )
    return render_environment(model, app_env, templates)
