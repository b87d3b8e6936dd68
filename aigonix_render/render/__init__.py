"""Stage 4, render: the model → Kubernetes objects as YAML text, one object per file.

Objects follow the Aigonix platform's names (``names``), labels and annotations (``meta``).
Secrets (and ConfigMaps that hold secrets: an environment's kafka files) are not rendered
here: they become ``PendingSecret`` values that the seal stage fills and encrypts. One module per group of objects: ``application`` (shared folder),
``environment``, ``microservice``, ``delivery``; ``runtime`` writes the Runtime's files.
A large tree's environments are rendered on two cores (``foundation.in_two``, which
``load`` and ``check`` use too), joined in the one order a single process renders them in.
"""

from __future__ import annotations

from collections.abc import Callable

from aigonix_render.foundation import OutputFile, in_two, record, split_at, worth_forking
from aigonix_render.model import Application, ApplicationEnvironment, Model, Subscription
from aigonix_render.render import runtime
from aigonix_render.render.application import docker_config, shared_objects, union_recipients
from aigonix_render.render.delivery import delivery_folders
from aigonix_render.render.environment import environment_objects
from aigonix_render.render.folder import (
    DELIVERY_FOLDER,
    KUSTOMIZATION,
    SHARED_FOLDER,
    Folder,
    PendingSecret,
    environment_folder,
    shared_folder,
)
from aigonix_render.render.meta import MANAGED_BY, RETAINED, Meta
from aigonix_render.render.microservice import microservice_objects
from aigonix_render.render.templates import Templates

__all__ = [
    "DELIVERY_FOLDER",
    "KUSTOMIZATION",
    "MANAGED_BY",
    "RETAINED",
    "SHARED_FOLDER",
    "Meta",
    "PendingSecret",
    "Rendering",
    "Templates",
    "docker_config",
    "environment_folder",
    "render_environment",
    "render_folders",
    "render_model",
    "render_shared",
    "shared_folder",
    "union_recipients",
]


@record
class Rendering:
    files: tuple[OutputFile, ...]
    secrets: tuple[PendingSecret, ...]

    @property
    def objects(self) -> tuple[OutputFile, ...]:
        """The files that are Kubernetes objects (every file but the kustomizations)."""
        return tuple(f for f in self.files if not f.path.endswith(f"/{KUSTOMIZATION}"))


def render_model(model: Model, templates: Templates) -> Rendering:
    """Each application's shared folder, each application environment's, then delivery."""
    return render_folders(model, templates, _nothing)


def render_folders(
    model: Model, templates: Templates, skip: Callable[[str], bool], delivery: bool = True
) -> Rendering:
    """``render_model`` without the application folders ``skip`` names (an incremental render
    keeps those from OUT); delivery is rendered, it is small and reads every manifest,
    unless not ``delivery`` (a model of part of the tree, whose render keeps it from OUT).

    A large tree's environments are rendered by two processes (``forked``), each a run of
    them, joined in this order: the same files as one process renders."""
    shared = [app for app in model.applications if not skip(shared_folder(app.name))]
    environments = [
        app_env
        for app_env in model.environments
        if not skip(environment_folder(app_env.application.name, app_env.environment.name))
    ]

    def head(until: int) -> tuple[Part, Part]:
        folders = [shared_objects(model, application, templates) for application in shared]
        folders += [_environment(app_env, model.subscriptions, templates) for app_env in environments[:until]]
        gitops = model.customer.gitops if delivery else None
        return _part(folders), _part(delivery_folders(model, gitops, templates) if gitops else [])

    def tail(since: int) -> Part:
        return _part(
            [_environment(app_env, model.subscriptions, templates) for app_env in environments[since:]]
        )

    weights = [len(app_env.microservices) + 1 for app_env in environments]
    if not worth_forking(sum(weights)):
        (files, secrets), (more_files, more_secrets) = head(len(environments))
        return Rendering(files + more_files, secrets + more_secrets)
    cut = split_at(weights, PARENT_SHARE)
    ((files, secrets), delivered), rest = in_two(lambda: head(cut), lambda: tail(cut))
    return Rendering(files + rest[0] + delivered[0], secrets + rest[1] + delivered[1])


Part = tuple[tuple[OutputFile, ...], tuple[PendingSecret, ...]]


def _part(folders: list[Folder]) -> Part:
    files = tuple(file for folder in folders for file in folder.files())
    return files, tuple(secret for folder in folders for secret in folder.secrets)


PARENT_SHARE = 0.45
"""The parent keeps a little less than half: it renders the shared and delivery folders, and
reads the child's files."""


def _nothing(folder: str) -> bool:
    return False


def render_shared(model: Model, application: Application, templates: Templates) -> Rendering:
    """One application's shared objects alone (an Argo CD plugin target of its own)."""
    return _rendering([shared_objects(model, application, templates)])


def render_environment(model: Model, app_env: ApplicationEnvironment, templates: Templates) -> Rendering:
    """One application environment alone, without the objects its application shares."""
    return _rendering([_environment(app_env, model.subscriptions, templates)])


def _rendering(folders: list[Folder]) -> Rendering:
    return Rendering(*_part(folders))


def _environment(
    app_env: ApplicationEnvironment, subscriptions: tuple[Subscription, ...], templates: Templates
) -> Folder:
    folder = Folder(environment_folder(app_env.application.name, app_env.environment.name), templates)
    environment_objects(folder, app_env)
    here = runtime.touching(subscriptions, app_env)
    for ms in app_env.microservices:
        microservice_objects(folder, app_env, ms, here)
    return folder
