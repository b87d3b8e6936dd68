"""``validate``: everything ``render`` refuses in a tree's content, without keys or OUT.

``render`` refuses a tree for its problems (load and validate) and, when it validates, for
what the check over everything rendered finds (``check.check_rendering``: names that meet,
Runtimes that share a database, objects the API server refuses). ``validate`` runs both the
same way, rendering in memory, so the pre-commit hook and CI refuse what ``render`` would,
with the same messages at the same positions. Left to ``render``: what needs the output
folder (changes Kubernetes cannot apply in place over the previous output) or keys
(sealing).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from aigonix_render.commands.valid import Valid, no_cycle_collection, valid_model
from aigonix_render.foundation import InvalidInput, Problem, sort_problems


def content_problems(root: Path, strict: bool, tracked_only: bool = False) -> list[Problem]:
    """The problems ``render`` reports for the tree at ``root`` before it needs keys or
    OUT: validation's, and, when the tree validates (with ``strict``: has no warnings
    either), the rendered check's. ``tracked_only``: files git does not track are absent.
    Applications whose inputs did not change since a validate kept their verdicts
    (``verdict_cache``) are neither rendered nor checked again, but for what crosses them."""
    with no_cycle_collection():
        try:
            valid = valid_model(root, strict, tracked_only=tracked_only)
        except InvalidInput as refused:
            return refused.problems
        checked = _checked(root, valid, tracked_only, os.environ)
    return sort_problems([*valid.problems, *checked]) if checked else valid.problems


def _checked(root: Path, valid: Valid, tracked_only: bool, environ: Mapping[str, str]) -> list[Problem]:
    """The check over everything rendered, with the verdicts kept where there is a cache."""
    from aigonix_render.check import check_kept, check_rendering
    from aigonix_render.commands.incremental import application_folders
    from aigonix_render.commands.verdict_cache import (
        application_keys,
        load_verdict,
        store_verdict,
        verdict_folder,
    )
    from aigonix_render.render import Templates, render_folders, render_model

    model, tree = valid.model, valid.tree
    cache = verdict_folder(environ)
    if cache is None:
        return check_rendering(render_model(model, Templates()), model, tree)
    folders = application_folders(model)
    keys = application_keys(root, tree, model, folders, tracked_only)
    found = {app: load_verdict(cache, key) for app, key in keys.items()}
    kept = {app: verdict for app, verdict in found.items() if verdict is not None}
    skipped = {folder for folder in folders if folder.partition("/")[0] in kept}
    templates = Templates()
    told = check_kept(render_folders(model, templates, skipped.__contains__), model, tree, kept, folders)
    if told is None:  # two applications meet: the whole check tells it at both places
        return check_rendering(render_model(model, templates), model, tree)
    problems, fresh = told
    for app, verdict in fresh.items():
        if app in keys:
            store_verdict(cache, keys[app], verdict)
    return problems
