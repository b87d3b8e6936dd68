"""The stages joined: load → validate → model → render → seal → write.

Commands call these functions with plain options and get values back; nothing here
prints, exits or knows about click.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from aigonix_render import __version__
from aigonix_render.commands.cli_text import counted
from aigonix_render.commands.incremental import render_changed
from aigonix_render.commands.kept_secrets import split_by_fingerprint
from aigonix_render.commands.partial import Partial, load_for_render, marker_inputs
from aigonix_render.commands.valid import Valid as Valid  # both offered here too, as before
from aigonix_render.commands.valid import no_cycle_collection
from aigonix_render.commands.valid import valid_model as valid_model
from aigonix_render.foundation import (
    InvalidInput,
    OutputError,
    OutputFile,
    Problem,
    record,
    sort_problems,
)
from aigonix_render.seal import DEFAULT_TIMEOUT
from aigonix_render.write import (
    MARKER,
    UNREAD,
    Kept,
    Known,
    Looks,
    Marker,
    MarkerInputs,
    Plan,
    TreeInputs,
    Unread,
    check_writable,
    conflict_note,
    looked_ahead,
    marker_text,
    output_errors,
    output_lock,
    plan,
    read_marker,
    read_previous,
    recover,
    trusted_previous,
    up_to_date,
    up_to_date_restamped,
    write_output,
)

if TYPE_CHECKING:  # the heavy stages load only when a render really has work to do
    from aigonix_render.load import Tree
    from aigonix_render.model import Model
    from aigonix_render.render import Rendering, Templates
    from aigonix_render.seal import Fingerprinted


@record
class RenderOptions:
    root: Path
    out: Path
    check: bool = False
    strict: bool = False
    jobs: int = 0
    sops_timeout: float = DEFAULT_TIMEOUT
    sops_binary: bool = False
    progress: Callable[[str], None] = field(default=lambda phase: None, compare=False)


@record
class RenderResult:
    plan: Plan
    problems: list[Problem]
    sealed: int


@record
class Prepared:
    """A validated tree rendered in memory, Secrets fingerprinted but not yet sealed."""

    root: Path
    out: Path
    model: Model
    problems: list[Problem]
    templates: Templates
    rendering: Rendering
    secrets: list[Fingerprinted]
    previous: Marker | None
    tree: Tree
    kept: Mapping[str, Kept] = field(default_factory=dict)
    """The files of the folders kept in OUT, unread (their inputs did not change)."""
    fingerprints: tuple[OutputFile, ...] = ()
    """With exact adoption, each rendered folder's ``.sealed-from`` (``seal.fingerprint_files``)."""
    partial: Partial | None = None
    """When only part of the tree was loaded, what the marker told of the rest."""


def prepare(
    root: Path,
    out: Path,
    strict: bool,
    inputs: TreeInputs | None = None,
    previous: Marker | Unread | None = UNREAD,
    looks: Looks | None = None,
) -> Prepared:
    """Validate and render in memory; then refuse, with positions, whatever Kubernetes would
    refuse (``output_check``) or could not apply in place over the previous output.
    ``previous``: OUT's marker, when the caller has read it; ``inputs``: the digests that
    let an incremental render keep folders (and leave applications unloaded); ``looks``:
    what a look ahead found of OUT's files (``write.looked_ahead``). What an incremental
    render refuses is refused again by a render of the whole tree, so that every problem
    (warnings of the folders it kept among them) is told as from scratch."""
    from aigonix_render.check import check_rendering, refusals
    from aigonix_render.render import Templates
    from aigonix_render.seal import fingerprint, fingerprint_files

    root, out = root.resolve(), out.resolve()
    _check_output_place(root, out)
    with no_cycle_collection():
        previous = read_marker(out) if previous is UNREAD else previous
        valid, kept, partial = load_for_render(root, strict, out, previous, inputs, looks)
        templates = Templates()
        rendering = render_changed(valid.tree, valid.model, templates, kept, delivery=partial is None)
        refused = [
            *check_rendering(rendering, valid.model, valid.tree),
            *refusals(valid.model, rendering.files, lambda path: trusted_previous(out, path, previous)),
        ]
    if refused and (kept or partial is not None):
        return prepare(root, out, strict, None, previous)  # every folder rendered and checked
    if refused:
        raise InvalidInput(sort_problems([*valid.problems, *refused]))
    secrets = [fingerprint(p, root, templates) for p in rendering.secrets]
    kept_files = {path: found for files in kept.values() for path, found in files.items()}
    return Prepared(
        root,
        out,
        valid.model,
        valid.problems,
        templates,
        rendering,
        secrets,
        previous,
        valid.tree,
        kept_files,
        tuple(fingerprint_files(secrets)),
        partial,
    )


def render(options: RenderOptions) -> RenderResult:
    root, out = options.root.resolve(), options.out.resolve()
    _check_output_place(root, out)
    known = Known.for_tree(str(root), os.environ)
    inputs = TreeInputs(root, (out,), __version__, known, options.strict)
    if options.check:
        if up_to_date(out, inputs):
            return RenderResult(Plan((), (), ()), [], 0)
        prepared = prepare(root, out, options.strict)
        return RenderResult(_check_plan(prepared, inputs)[0], _noted(prepared, resolved=False), 0)
    with output_errors(out), output_lock(out):
        recover(out)
        previous = read_marker(out)
        if up_to_date_restamped(out, inputs, previous):
            inputs.save()
            return RenderResult(Plan((), (), ()), [], 0)
        with looked_ahead(out, previous, inputs.tool) as looks:  # OUT's files looked at meanwhile
            inputs.warm()
            inputs.save()
            options.progress("reading and rendering the tree")
            prepared = prepare(root, out, options.strict, inputs, previous, looks)
        check_writable(out, previous)
        kept, stale = split_by_fingerprint(out, prepared.secrets, previous)
        if stale:
            options.progress(f"sealing {counted(len(stale), 'Secret')}")
        sealed = _seal(stale, prepared.root, prepared.templates, options)
        files = [*prepared.rendering.files, *prepared.fingerprints, *kept, *sealed]
        options.progress(f"writing {counted(len(files) + len(prepared.kept), 'file')}")
        marker = _marker_inputs(prepared, inputs, [*(f.path for f in files), *prepared.kept])
        written = write_output(out, files, marker, prepared.kept, previous)
        return RenderResult(written, _noted(prepared, resolved=True), len(sealed))


def _marker_inputs(prepared: Prepared, inputs: TreeInputs, paths: list[str]) -> MarkerInputs:
    """What the marker says of the inputs of a render that writes ``paths``."""
    return marker_inputs(prepared.tree, prepared.model, inputs, paths, prepared.partial)


def _noted(prepared: Prepared, resolved: bool) -> list[Problem]:
    """The problems, and what to do about a marker git could not merge."""
    note = conflict_note(prepared.out, prepared.previous, resolved)
    return [*prepared.problems, *([note] if note else [])]


@record
class DiffResult:
    plan: Plan
    text: str
    problems: list[Problem] = field(default_factory=list)


def diff(root: Path, out: Path, strict: bool = False) -> DiffResult:
    """What ``render`` would change in ``out``, as a unified diff; Secrets by name only."""
    prepared = prepare(root, out, strict)
    inputs = TreeInputs(prepared.root, (prepared.out,), __version__, None, strict)
    changes, marker = _check_plan(prepared, inputs)
    new = {f.path: f.text for f in (*prepared.rendering.files, *prepared.fingerprints)}
    new.update({MARKER: marker} if marker is not None else {})
    secrets = {s.pending.path for s in prepared.secrets}
    chunks = [_file_diff(prepared.out, path, new.get(path), path in secrets) for path in changes.paths]
    return DiffResult(changes, "".join(chunks), prepared.problems)


def _file_diff(out: Path, path: str, new: str | None, secret: bool) -> str:
    import difflib  # here: only ``diff`` shows changes line by line

    old = read_previous(out, path)
    if secret or (old is not None and "\nsops:\n" in old.decode("utf-8", "replace")):
        state = "added" if old is None else ("removed" if new is None and not secret else "changed")
        return f"Secret {path}: {state} (values not shown)\n"
    before = old.decode("utf-8", "replace").splitlines(keepends=True) if old is not None else []
    after = new.splitlines(keepends=True) if new is not None else []
    source = f"a/{path}" if old is not None else "/dev/null"
    target = f"b/{path}" if new is not None else "/dev/null"
    return "".join(difflib.unified_diff(before, after, source, target))


def _seal(
    stale: list[Fingerprinted], root: Path, templates: Templates, options: RenderOptions
) -> list[OutputFile]:
    from aigonix_render.seal import Sops, seal, with_tree_key

    if not stale:
        return []
    sops = Sops(with_tree_key(os.environ, root), options.sops_timeout, options.sops_binary)
    return seal(stale, root, templates, sops, options.jobs or os.cpu_count() or 1)


def _check_output_place(root: Path, out: Path) -> None:
    if out == root or root.is_relative_to(out):
        raise OutputError(f"the output directory {out} would contain the input tree; choose another")
    if out.is_relative_to(root / "applications"):
        raise OutputError(
            f"the output directory {out} is inside the input folder applications/; choose another"
        )


def _check_plan(prepared: Prepared, inputs: TreeInputs) -> tuple[Plan, str | None]:
    """What a render would change in OUT; and the marker it would write when every other
    file is as it would be written (only then is the marker known: no Secret to seal)."""
    out = prepared.out
    kept, stale = split_by_fingerprint(out, prepared.secrets, prepared.previous)
    files = [*prepared.rendering.files, *prepared.fingerprints, *kept]
    result = plan(out, files, prepared.kept)
    missing = tuple(s.pending.path for s in stale)
    added = tuple(p for p in missing if read_previous(out, p) is None)
    changed = tuple(p for p in missing if p not in added)
    marker = None
    if prepared.previous is not None and prepared.previous.conflict is not None:
        changed += (MARKER,)  # git's conflict marks stay until a render writes it anew
    elif prepared.previous is not None and not (result.stale or missing):
        # the same files, but a render writes the marker anew (an input's digest changed,
        # say by a comment in a manifest): say it, or a fresh clone's render will
        marker = marker_text(files, _marker_inputs(prepared, inputs, [f.path for f in files]))
        changed += (MARKER,) if read_previous(out, MARKER) != marker.encode("utf-8") else ()
    changes = Plan(
        tuple(sorted((*result.added, *added))),
        tuple(sorted((*result.changed, *changed))),
        tuple(p for p in result.removed if p not in missing),
    )
    return changes, marker
