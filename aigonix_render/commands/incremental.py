"""Which output folders a render can keep from OUT, and the rest rendered.

The whole tree is validated and its model built (rules across applications: unique names,
ids and hosts), then only the application folders whose inputs changed since the marker
was written are rendered and checked; the others keep their files in OUT, unread
(``write.reusable_folders``). Delivery is always rendered: it reads every application's
manifest.

The check over everything rendered reads only the folders rendered now: none of its rules
across folders can meet a kept one. An application's folders share their inputs (all of
them are kept or none, but for a folder whose files were changed in OUT), each application
has its own namespace and output folder (unique ids and names are validated over the whole
tree), and a Runtime's databases are on its own application environment's server
(``names.mongo_host``; ``tests/acceptance/test_incremental_render`` holds every rendered
Runtime to it), so no two folders name one database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigonix_render.write import Kept, Marker, TreeInputs, folder_sources, reusable_folders

if TYPE_CHECKING:
    from pathlib import Path

    from aigonix_render.load import Tree
    from aigonix_render.model import Model
    from aigonix_render.render import Rendering, Templates


def application_folders(model: Model) -> list[str]:
    """Every application's shared folder and every application environment's folder."""
    from aigonix_render.render import environment_folder, shared_folder

    shared = [shared_folder(app.name) for app in model.applications]
    environments = [
        environment_folder(app_env.application.name, app_env.environment.name)
        for app_env in model.environments
    ]
    return [*shared, *environments]


def kept_folders(
    out: Path, previous: Marker | None, inputs: TreeInputs | None, tree: Tree, model: Model
) -> dict[str, dict[str, Kept]]:
    """The folders whose inputs are those of the previous render, with their files in OUT."""
    if inputs is None or previous is None:
        return {}
    from aigonix_render.render import KUSTOMIZATION

    folders = application_folders(model)
    sources = folder_sources(tree, model, (f"{folder}/{KUSTOMIZATION}" for folder in folders))
    return reusable_folders(out, previous, inputs, sources)


def render_changed(model: Model, templates: Templates, kept: dict[str, dict[str, Kept]]) -> Rendering:
    """Every folder but the kept ones."""
    from aigonix_render.render import render_folders

    return render_folders(model, templates, kept.__contains__)
