"""Which output folders a render can keep from OUT, and the rest rendered.

The applications whose every output folder's section in the marker still holds (the same
aigonix-render, the same digest of the very sources it names: the customer file, the
application's folder, the manifests of the applications tied to it) are loaded as
validated before (``unchanged_applications``): every file is looked at, and refused or
warned about as always (what git ignores and which files are left out are not in the
digest), but their secrets and sealed files, the bytes a render with
the same code validated and rendered, are not parsed, and of the rules only those that
read the whole tree run on them (unique names, ids and hosts, event horizons, roles,
adoption), not their documents' own checks nor one application's rules, which depend only
on its bytes and the customer file. Then only the
application folders whose inputs changed since the marker was written are rendered and
checked; the others keep their files in OUT, unread (``write.reusable_folders``). When
what ties the applications changed meanwhile (a new event horizon to an application
loaded as validated before), or a kept folder's files were changed in OUT, such an
application is not kept whole, and the tree is loaded again in full (``keeps_whole``).
Delivery is rendered: it reads every application's manifest.

That is the render when the marker cannot tell the rest of the tree; when it can,
``partial`` loads only the applications a change reaches, and keeps delivery too.

So a render reports the problems of what it checks: the warnings of an unchanged
application's own checks and rules are not repeated (the no-op repeats none; ``validate``
all).

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

from aigonix_render.write import Kept, Looks, Marker, TreeInputs, folder_sources, reusable_folders

if TYPE_CHECKING:
    from collections.abc import Sequence
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
    out: Path,
    previous: Marker | None,
    inputs: TreeInputs | None,
    tree: Tree,
    model: Model,
    looks: Looks | None = None,
) -> dict[str, dict[str, Kept]]:
    """The folders whose inputs are those of the previous render, with their files in OUT
    (``looks``: what a look ahead found of them, ``write.looked_ahead``)."""
    if inputs is None or previous is None:
        return {}
    from aigonix_render.render import KUSTOMIZATION

    folders = application_folders(model)
    sources = folder_sources(tree, model, (f"{folder}/{KUSTOMIZATION}" for folder in folders))
    return reusable_folders(out, previous, inputs, sources, looks)


def unchanged_applications(previous: Marker | None, inputs: TreeInputs | None) -> frozenset[str]:
    """The application folders (``applications/<folder>``) whose every output folder's
    section in the marker holds: the same aigonix-render, and the same digest of the
    sources the section names."""
    if inputs is None or previous is None or not previous.holds_for(inputs.tool):
        return frozenset()
    holds: dict[str, bool] = {}
    for folder, (digest, sources) in previous.sections.items():
        owner = section_owner(folder, sources)
        if owner is not None:
            holds[owner] = holds.get(owner, True) and inputs.section(sources) == digest
    return frozenset(owner for owner, held in holds.items() if held)


def section_owner(folder: str, sources: Sequence[str]) -> str | None:
    """The application folder (``applications/<folder>``) whose output folder a section is
    (its sources name that one application folder); None for delivery's and any other."""
    from aigonix_render.render import DELIVERY_FOLDER

    owners = [source[:-1] for source in sources if source.endswith("/")]
    return owners[0] if len(owners) == 1 and not folder.startswith(f"{DELIVERY_FOLDER}/") else None


def keeps_whole(tree: Tree, model: Model, kept: dict[str, dict[str, Kept]]) -> bool:
    """Whether every folder of each application loaded as validated before is kept."""
    unparsed = {app.folder for app in tree.applications if app.validated_before}
    if not unparsed:
        return True
    owner = {app.name: app.folder for app in model.applications}
    return all(
        folder in kept
        for folder in application_folders(model)
        if owner.get(folder.partition("/")[0]) in unparsed
    )


def render_changed(
    tree: Tree, model: Model, templates: Templates, kept: dict[str, dict[str, Kept]], delivery: bool = True
) -> Rendering:
    """Every folder but the kept ones; never one of an application loaded as validated
    before (``keeps_whole``: the caller loads the tree in full first). Without ``delivery``
    (a model of part of the tree: ``partial``), delivery's folders are not rendered."""
    from aigonix_render.render import render_folders

    if not keeps_whole(tree, model, kept):
        raise RuntimeError("an application loaded as validated before would be rendered")
    return render_folders(model, templates, kept.__contains__, delivery)
