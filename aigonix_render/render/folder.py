"""The output directories: where each folder is, what it holds, and its kustomization.yaml."""

from __future__ import annotations

from typing import Any

from aigonix_render.foundation import OutputFile, record
from aigonix_render.render.meta import Meta
from aigonix_render.render.templates import Templates

SHARED_FOLDER = "_shared"
DELIVERY_FOLDER = "_delivery"
ARGOCD_FOLDER = f"{DELIVERY_FOLDER}/argocd"
KUSTOMIZATION = "kustomization.yaml"

Recipients = tuple[tuple[str, tuple[str, ...]], ...]


def shared_folder(application: str) -> str:
    """An application's objects that all its environments share."""
    return f"{application}/{SHARED_FOLDER}"


def environment_folder(application: str, environment: str) -> str:
    """The objects of one application environment."""
    return f"{application}/{environment.lower()}"


@record
class PendingSecret:
    """A Secret whose values are still in an encrypted source file; or a ConfigMap sealed
    like one (``meta.kind``: the M3 connector's kafka files hold a private key)."""

    path: str
    meta: Meta
    source: str
    keys: tuple[str, ...]
    recipients: Recipients
    docker_server: str | None = None
    docker_order: str = "sorted"
    """The key order of ``.dockerconfigjson``: ``sorted`` or ``platform`` (Go's)."""


class Folder:
    """The objects of one output directory, one file each; ``files()`` adds its kustomization."""

    def __init__(self, path: str, templates: Templates) -> None:
        self.path = path
        self.templates = templates
        self.rendered: list[OutputFile] = []
        self.secrets: list[PendingSecret] = []

    def add(self, meta: Meta, template: str, **context: Any) -> None:
        text = self.templates.render(template, o=meta, **context)
        self.rendered.append(OutputFile(self._file(meta), text))

    def holds(self, meta: Meta) -> bool:
        return any(f.path == self._file(meta) for f in self.rendered)

    def secret(
        self,
        meta: Meta,
        source: str,
        keys: tuple[str, ...],
        recipients: Recipients,
        docker_server: str | None = None,
        docker_order: str = "sorted",
    ) -> None:
        """A Secret (or a sealed ConfigMap) the seal stage renders once its values are decrypted."""
        self.secrets.append(
            PendingSecret(self._file(meta), meta, source, keys, recipients, docker_server, docker_order)
        )

    def files(self) -> list[OutputFile]:
        paths = [f.path for f in self.rendered] + [s.path for s in self.secrets]
        names = sorted(path.rsplit("/", 1)[1] for path in paths)
        text = self.templates.render("kustomization.yaml.j2", resources=names)
        return [*self.rendered, OutputFile(f"{self.path}/{KUSTOMIZATION}", text)]

    def _file(self, meta: Meta) -> str:
        return f"{self.path}/{meta.file_name}"
