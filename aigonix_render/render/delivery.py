"""The delivery objects of ``gitops``: Flux Kustomizations per cluster (one path bootstraps
a cluster) and Argo CD Applications (``argocd``), one per application environment and one
per application's shared folder."""

from __future__ import annotations

from aigonix_render.model import ApplicationEnvironment, GitOps, Model
from aigonix_render.render.argocd import argocd_applications
from aigonix_render.render.folder import (
    ARGOCD_FOLDER,
    DELIVERY_FOLDER,
    Folder,
    environment_folder,
    shared_folder,
)
from aigonix_render.render.meta import Meta, delivery_meta
from aigonix_render.render.templates import Templates


def delivery_folders(model: Model, gitops: GitOps, templates: Templates) -> list[Folder]:
    clusters = sorted({e.environment.cluster_name for e in model.environments})
    folders = [_flux_folder(model, gitops, cluster, templates) for cluster in clusters]
    argocd = Folder(ARGOCD_FOLDER, templates)
    for app_env in model.environments:
        argocd_applications(argocd, model, gitops, app_env)
    return [*folders, argocd]


def _flux_folder(model: Model, gitops: GitOps, cluster: str, templates: Templates) -> Folder:
    folder = Folder(f"{DELIVERY_FOLDER}/flux/{cluster}", templates)
    for app_env in model.environments:
        if app_env.environment.cluster_name == cluster:
            _flux(folder, gitops, app_env)
    return folder


def _flux(folder: Folder, gitops: GitOps, app_env: ApplicationEnvironment) -> None:
    """An environment's Kustomization depends on its application's shared one."""
    app, env, namespace = app_env.application.name, app_env.environment.name, gitops.flux_source_namespace
    shared = delivery_meta(app_env, "Kustomization", f"{app}-shared", namespace)
    if not folder.holds(shared):
        path = f"./{gitops.path}/{shared_folder(app)}"
        _kustomization(folder, shared, gitops, path, depends_on=None)
    meta = delivery_meta(app_env, "Kustomization", f"{app}-{env.lower()}", namespace)
    _kustomization(folder, meta, gitops, f"./{gitops.path}/{environment_folder(app, env)}", shared.name)


def _kustomization(folder: Folder, meta: Meta, gitops: GitOps, path: str, depends_on: str | None) -> None:
    folder.add(meta, "flux-kustomization.yaml.j2", gitops=gitops, path=path, depends_on=depends_on)
