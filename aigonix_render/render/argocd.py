"""Argo CD Applications: one per application environment and one per application's shared
objects on each cluster.

An Application syncs either the rendered folder (``source.path`` the output folder; its
Secrets are SOPS-encrypted, so Argo CD needs decryption of its own) or, with
``gitops.argocd.source: plugin``, the tree itself through the aigonix-render Config
Management Plugin (``deploy/argocd-cmp/``), which runs ``aigonix-render generate`` for the
application and environment named in ``source.plugin.env``.

``argocd.argoproj.io/manifest-generate-paths`` names what the Application's manifests are
made from, relative to its source path, so that a commit regenerates only the Applications
whose inputs it changes: the rendered folder itself, or what ``generate`` reads (the
customer file and registry credentials, the application's folder, and the folders of the
applications its event horizons tie it to, as ``load.one_application`` chooses them).
"""

from __future__ import annotations

from collections.abc import Iterable

from aigonix_render.foundation import MANIFEST
from aigonix_render.model import ApplicationEnvironment, GitOps, Model
from aigonix_render.render.folder import SHARED_FOLDER, Folder, environment_folder, shared_folder
from aigonix_render.render.meta import Meta, delivery_meta

PLUGIN = "aigonix-render-v1"
"""The plugin's name in an Application: ``<metadata.name>-<spec.version>`` of deploy/argocd-cmp/plugin.yaml."""
PLUGIN_APP = "AIGONIX_APP"
PLUGIN_ENV = "AIGONIX_ENV"
"""Argo CD hands plugin env entries to ``generate`` as ``ARGOCD_ENV_<name>``."""
GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"


def argocd_applications(
    folder: Folder, model: Model, gitops: GitOps, app_env: ApplicationEnvironment
) -> None:
    """The environment's Application, and its application's shared one on that cluster
    unless an earlier environment on the same cluster added it."""
    app, environment = app_env.application.name, app_env.environment
    paths = _generate_paths(model, app) if gitops.argocd_plugin else "."
    shared = delivery_meta(
        app_env,
        "Application",
        f"{app}-shared-{environment.cluster_name}",
        gitops.argocd_namespace,
        {"argocd.argoproj.io/sync-wave": "-1", GENERATE_PATHS: paths},
    )
    if not folder.holds(shared):
        _application(folder, shared, gitops, app_env, shared_folder(app), SHARED_FOLDER)
    name = f"{app}-{environment.name.lower()}"
    meta = delivery_meta(app_env, "Application", name, gitops.argocd_namespace, {GENERATE_PATHS: paths})
    _application(folder, meta, gitops, app_env, environment_folder(app, environment.name), environment.name)


def _application(
    folder: Folder,
    meta: Meta,
    gitops: GitOps,
    app_env: ApplicationEnvironment,
    rendered: str,
    target: str,
) -> None:
    """A plugin Application reads the tree with ``target`` as its environment; any other
    the rendered folder. Only an environment's Application leaves the namespace to the
    shared one (``CreateNamespace=false``) and retries until it exists."""
    plugin = {PLUGIN_APP: app_env.application.name, PLUGIN_ENV: target} if gitops.argocd_plugin else None
    path = gitops.tree_path if plugin else f"{gitops.path}/{rendered}"
    folder.add(
        meta,
        "argocd-application.yaml.j2",
        gitops=gitops,
        environment=app_env.environment,
        path=path,
        plugin=plugin,
        plugin_name=PLUGIN,
        shared=target == SHARED_FOLDER,
    )


def _generate_paths(model: Model, application: str) -> str:
    """What ``generate`` reads for ``application``, relative to the tree: the customer file,
    the registry credentials, the application's folder, then the folders of the others it
    loads (those subscribing to it, and those all of these subscribe to, transitively)."""
    folders = {a.name: a.folder for a in model.applications}
    loaded = [application]
    pending = [application, *_consumers(model, application)]
    while pending:
        name = pending.pop()
        if name not in loaded:
            loaded.append(name)
        pending += [p for p in _producers(model, name) if p not in loaded and p not in pending]
    customer = [
        MANIFEST,
        *([model.customer.registry_credentials] if model.customer.registry_credentials else []),
    ]
    others = sorted(folders[n] for n in loaded[1:] if n in folders)
    return ";".join([*customer, folders[application], *others])


def _consumers(model: Model, application: str) -> Iterable[str]:
    return sorted(
        {
            s.consumer.application.name
            for s in model.subscriptions
            if s.producer.application.name == application and s.consumer.application.name != application
        }
    )


def _producers(model: Model, application: str) -> list[str]:
    return sorted(
        {
            s.producer.application.name
            for s in model.subscriptions
            if s.consumer.application.name == application and s.producer.application.name != application
        }
    )
