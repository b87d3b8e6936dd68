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

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigonix_render.commands.pipeline import valid_model
from aigonix_render.foundation import InvalidInput, Problem, sort_problems


def content_problems(root: Path, strict: bool, tracked_only: bool = False) -> list[Problem]:
    """The problems ``render`` reports for the tree at ``root`` before it needs keys or
    OUT: validation's, and, when the tree validates (with ``strict``: has no warnings
    either), the rendered check's. ``tracked_only``: files git does not track are absent."""
    from aigonix_render.check import check_rendering
    from aigonix_render.render import Templates, render_model

    with no_cycle_collection():
        try:
            valid = valid_model(root, strict, tracked_only=tracked_only)
        except InvalidInput as refused:
            return refused.problems
        rendering = render_model(valid.model, Templates())
        checked = check_rendering(rendering, valid.model, valid.tree)
    return sort_problems([*valid.problems, *checked]) if checked else valid.problems


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """No cycle collection while the tree is read, rendered and checked, as in ``render``
    (``pipeline.prepare``): they make almost no reference cycles, and the collector would
    walk the growing model and rendering again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
