"""``generate``: one application environment as a YAML stream, for Argo CD's CMP.

Argo CD cannot decrypt SOPS, so Secrets are decrypted here and written as plain
``stringData`` on stdout only: the caller (the repo-server sidecar) passes the stream to
Argo CD, which applies it. Nothing is written to disk. The result is built whole before
anything is printed, so a failure prints nothing (an empty stream would make Argo CD
prune the application).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aigonix_render.errors import UsageError
from aigonix_render.pipeline import valid_model
from aigonix_render.render import KUSTOMIZATION, SHARED_FOLDER, Templates, render_model
from aigonix_render.seal import secret_text, secret_values
from aigonix_render.sops import Sops, find_sops

APP_VARIABLES = ("ARGOCD_ENV_AIGONIX_APP", "PARAM_APP")
ENV_VARIABLES = ("ARGOCD_ENV_AIGONIX_ENV", "PARAM_ENV")


@dataclass(frozen=True)
class Target:
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


def generate(root: Path, target: Target) -> str:
    model, _ = valid_model(root.resolve(), strict=False)
    app_env = next(
        (
            e
            for e in model.environments
            if e.application.name == target.application
            and e.environment.name.lower() == target.environment.lower()
        ),
        None,
    )
    if app_env is None:
        raise UsageError(f"the application {target.application!r} has no environment {target.environment!r}")
    templates = Templates()
    rendering = render_model(model, templates)
    folders = (f"{target.application}/{SHARED_FOLDER}/", f"{target.application}/{app_env.environment.lower}/")
    documents = [
        f.text for f in rendering.files if f.path.startswith(folders) and not f.path.endswith(KUSTOMIZATION)
    ]
    sops = Sops(find_sops()) if any(s.path.startswith(folders) for s in rendering.secrets) else None
    decrypted: dict[str, dict[str, object]] = {}
    for pending in (s for s in rendering.secrets if s.path.startswith(folders)):
        assert sops is not None
        if pending.source not in decrypted:
            decrypted[pending.source] = sops.decrypt(root.resolve() / pending.source, pending.source)
        values = secret_values(pending, decrypted[pending.source])
        documents.append(secret_text(templates, pending, values, ""))
    return "".join(f"---\n{document}" for document in _namespace_first(documents))


def _namespace_first(documents: list[str]) -> list[str]:
    return sorted(documents, key=lambda d: (not d.startswith("apiVersion: v1\nkind: Namespace\n"),))
