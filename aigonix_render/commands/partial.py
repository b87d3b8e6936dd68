"""An incremental render that loads only the applications a change reaches.

``incremental`` keeps the output folders whose inputs did not change, but still walks and
parses every application. Here the applications whose every output folder's section in the
marker holds (``unchanged_applications``) are not loaded at all, but for those tied by an
event horizon to one that changed (loaded as validated before, for its model): the marker
tells what a load of them would. The argument is the no-op's (``write.marker.up_to_date``):
what the load decides of an application is a function of the bytes its section digests
(the customer file, the application's folder, with where each symlink leads, and the
manifests of the applications tied to it) and of aigonix-render's own digest (with
``--strict``), but for three things, each checked here as the no-op checks it:
- what git ignores now, and an editor's leftover under ``--strict`` (``TreeInputs.refused``);
- the claims across applications (unique names, ids and hosts): each application's are a
  line of the marker, and none may be made by two applications, the loaded ones' as they
  are now (``owned_twice``);
- what ties the applications: every changed application's sources (its ties and their
  manifests) and the list of its manifests its ties' sections name are as remembered, so
  every unchanged application's sources are still the ones its section names.

Delivery reads every application's manifest: its folders are kept when their sections hold
and name the very application folders there are now; never Argo CD's plugin Applications,
whose manifest-generate-paths follow every microservice's event horizons (in which
direction each subscribes: not in the sections, which would otherwise change, and conflict
in git, with every microservice's edit). Manifests at unknown places are looked for in
the whole tree, as always. Anything else (a problem met in what was loaded, a folder that
cannot be kept, a claim made twice, a new tie) and the whole tree is loaded, every
application parsed, so that every problem is told as a render from scratch tells it (and
a refusal after the render, ``pipeline.prepare``, is told by a render of the whole tree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigonix_render.commands.incremental import (
    keeps_whole,
    kept_folders,
    section_owner,
    unchanged_applications,
)
from aigonix_render.commands.valid import Valid, valid_model
from aigonix_render.foundation import APPLICATIONS, MANIFEST, InvalidInput, ask, record
from aigonix_render.write import (
    Kept,
    Looks,
    Marker,
    MarkerInputs,
    TreeInputs,
    application_ties,
    claimed_twice,
    claims_told,
    folder_claims,
    folder_sources,
    manifests_of,
    owned_twice,
    reusable_folders,
)

if TYPE_CHECKING:
    from pathlib import Path

    from aigonix_render.load import Tree
    from aigonix_render.model import Model
    from aigonix_render.write import Section


@record
class Partial:
    """What a render loads (``load``: the changed application folders and those the marker
    ties to them) and what it takes from the marker: the sections of the folders it keeps
    (of the unchanged applications and delivery), their owners and the unchanged
    applications' claims lines."""

    load: frozenset[str]
    unchanged: frozenset[str]
    sections: dict[str, Section]
    owners: dict[str, str]
    claims: dict[str, tuple[str, ...]]


def partial_load(previous: Marker | None, inputs: TreeInputs | None) -> Partial | None:
    """The part of the tree to load, when the marker can tell the rest; None otherwise."""
    if inputs is None or previous is None or not previous.holds_for(inputs.tool):
        return None
    unchanged = unchanged_applications(previous, inputs)
    if not unchanged or not claims_told(previous) or claimed_twice(previous.claims):
        return None
    if not previous.every_file_in_a_section():
        return None
    owners = {folder: section_owner(folder, sources) for folder, (_, sources) in previous.sections.items()}
    current = {folder.rstrip("/") for folder in inputs.applications()}
    others = [folder for folder, owner in owners.items() if owner is None]
    if any(not _delivery_holds(previous.sections[f], inputs, current) for f in others):
        return None
    kept = {f: s for f, s in previous.sections.items() if owners[f] in unchanged or owners[f] is None}
    changed = current - unchanged
    tied = {
        tie
        for folder, (_, sources) in previous.sections.items()
        if owners[folder] in changed
        for tie in _ties(sources)
    }
    return Partial(
        frozenset(changed | (tied & unchanged)),
        unchanged,
        kept,
        {folder: owner for folder, owner in owners.items() if owner is not None},
        {f: c for f, c in previous.claims.items() if owners.get(f) in unchanged},
    )


def _delivery_holds(section: Section, inputs: TreeInputs, current: set[str]) -> bool:
    """Whether delivery's section holds and names every application folder there is now."""
    digest, sources = section
    named = {
        s.removesuffix(f"/{MANIFEST}")
        for s in sources
        if s.startswith(f"{APPLICATIONS}/") and s.count("/") == 2
    }
    return inputs.section(sources) == digest and named == current


def _ties(sources: tuple[str, ...]) -> set[str]:
    """The application folders a section names manifests of (those its folder is tied to)."""
    return {
        "/".join(s.split("/", 2)[:2])
        for s in sources
        if s.startswith(f"{APPLICATIONS}/") and s.endswith(MANIFEST)
    }


def load_for_render(
    root: Path,
    strict: bool,
    out: Path,
    previous: Marker | None,
    inputs: TreeInputs | None,
    looks: Looks | None = None,
) -> tuple[Valid, dict[str, dict[str, Kept]], Partial | None]:
    """The model a render needs, the folders it keeps from OUT, and the ``Partial`` that
    says which part of the tree was loaded (None: the whole tree). ``looks``: what a look
    ahead found of OUT's files (``write.looked_ahead``)."""
    partial = partial_load(previous, inputs)
    if partial is not None and previous is not None and inputs is not None:
        loaded = load_partially(root, strict, out, (previous, inputs, looks), partial)
        if loaded is not None:
            return (*loaded, partial)
        valid = valid_model(root, strict, (out,))  # what the part did not tell, the whole does
        return valid, kept_folders(out, previous, inputs, valid.tree, valid.model, looks), None
    unchanged = unchanged_applications(previous, inputs)
    try:
        valid = valid_model(root, strict, (out,), validated_before=unchanged)
    except InvalidInput:
        if not unchanged:
            raise
        valid = valid_model(root, strict, (out,))  # as from scratch: the unchanged ones' warnings too
    kept = kept_folders(out, previous, inputs, valid.tree, valid.model, looks)
    if not keeps_whole(valid.tree, valid.model, kept):  # a new tie, or its output edited
        valid = valid_model(root, strict, (out,))  # the same manifests: the same kept folders
    return valid, kept, None


def load_partially(
    root: Path, strict: bool, out: Path, seen: tuple[Marker, TreeInputs, Looks | None], partial: Partial
) -> tuple[Valid, dict[str, dict[str, Kept]]] | None:
    """The model of what ``partial`` loads and the folders kept, or None when the whole
    tree must be loaded to know (``partial``'s module says when). ``seen``: OUT's marker,
    the inputs, and what a look ahead found of OUT's files."""
    previous, inputs, looks = seen
    git = ask(root)
    try:
        valid = valid_model(
            root, strict, (out,), validated_before=partial.unchanged, only=partial.load, git=git
        )
    except InvalidInput:
        return None  # a load of the whole tree says what, as a render from scratch would
    if inputs.refused(git.answer) is not None or not _told(partial, valid.tree, valid.model, previous):
        return None
    gitops = valid.model.customer.gitops
    if gitops and (gitops.argocd_plugin or all(folder in partial.owners for folder in partial.sections)):
        return None  # delivery to render: no section of it to keep, or plugin Applications
        # (their manifest-generate-paths follow every microservice's event horizons)
    sources = {folder: list(found) for folder, (_, found) in partial.sections.items()}
    kept = reusable_folders(out, previous, inputs, sources, looks)
    return (valid, kept) if kept.keys() == partial.sections.keys() else None


def _told(partial: Partial, tree: Tree, model: Model, previous: Marker) -> bool:
    """Whether the claims and ties of what was loaded agree with the marker's of the rest."""
    from aigonix_render.validate import application_claims

    loaded = application_claims(tree)
    remembered = (
        (partial.owners[f], claims) for f, claims in partial.claims.items() if partial.owners[f] not in loaded
    )
    if owned_twice([*loaded.items(), *remembered]):
        return False
    ties = application_ties(model)
    sources = _remembered_sources(previous, partial.owners)
    for app in tree.applications:
        if app.validated_before:
            continue
        expected = _sources_now(tree, model, app.folder)
        if expected is not None and sources.get(app.folder, {expected}) != {expected}:
            return False
        if ties.get(app.folder) and app.folder not in sources:
            return False  # a new application tied to another: that one's sources change
        for tie in ties.get(app.folder, ()):
            named = {s for each in sources.get(tie, ()) for s in each if s.startswith(f"{app.folder}/")}
            if tie in partial.unchanged and named != set(manifests_of(app)):
                return False
    return True


def _remembered_sources(previous: Marker, owners: dict[str, str]) -> dict[str, set[tuple[str, ...]]]:
    """Each application folder's sources, as its sections name them."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for folder, owner in owners.items():
        found.setdefault(owner, set()).add(previous.sections[folder][1])
    return found


def _sources_now(tree: Tree, model: Model, folder: str) -> tuple[str, ...] | None:
    """What an application's output folders read now (all of them the same)."""
    from aigonix_render.render import shared_folder

    name = next((app.name for app in model.applications if app.folder == folder), None)
    if name is None:
        return None
    found = folder_sources(tree, model, [f"{shared_folder(name)}/-"])
    return tuple(sorted(set(next(iter(found.values())))))


def marker_inputs(
    tree: Tree, model: Model, inputs: TreeInputs, paths: list[str], partial: Partial | None
) -> MarkerInputs:
    """What the marker says of the inputs of a render that writes ``paths``: each folder's
    section and each application's claims; those of the folders ``partial`` kept as the
    marker told them (their sections hold, and their applications were not loaded)."""
    from aigonix_render.validate import application_claims

    remembered = partial or Partial(frozenset(), frozenset(), {}, {}, {})
    paths = [path for path in paths if path.rpartition("/")[0] not in remembered.sections]
    sources = folder_sources(tree, model, paths)
    claims = folder_claims(model, sources, application_claims(tree))
    sections = {**inputs.sections(sources), **remembered.sections}
    return MarkerInputs(inputs.tool, sections, {**claims, **remembered.claims})
