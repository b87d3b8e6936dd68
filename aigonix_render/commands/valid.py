"""A tree that validates, and its model: the first half of every command that renders.

Its own module, apart from ``pipeline`` (which joins every stage up to writing OUT), so that
``generate``, run by Argo CD for every Application on every commit, loads neither the
output writer nor the sealing of Secrets it does not do.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from aigonix_render.foundation import InvalidInput, Problem, has_errors

if TYPE_CHECKING:
    from aigonix_render.foundation import Question
    from aigonix_render.load import Tree
    from aigonix_render.model import Model


class Valid(NamedTuple):
    """A tree that validated, its model, and its problems (warnings only, or none)."""

    model: Model
    problems: list[Problem]
    tree: Tree


def valid_model(
    root: Path,
    strict: bool,
    exclude: tuple[Path, ...] = (),
    application: str | None = None,
    tracked_only: bool = False,
    validated_before: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    git: Question | None = None,
) -> Valid:
    """The model of a tree that validates; ``InvalidInput`` (with the problems) otherwise.
    With ``application``, of the part of the tree that rendering it needs (``generate``);
    with ``tracked_only``, of the files git tracks (``validate --tracked-only``); of the
    application folders in ``validated_before`` loaded as validated before (an incremental
    render's applications it keeps whole: never rendered; ``load.load_tree``); with
    ``only``, of those application folders and what they subscribe to (``load.load_tree``)."""
    from aigonix_render.model import build_model
    from aigonix_render.validate import validate_root

    validation = validate_root(root, exclude, application, tracked_only, validated_before, only, git)
    if has_errors(validation.problems, strict):
        raise InvalidInput(validation.problems)
    return Valid(build_model(validation.tree), validation.problems, validation.tree)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Loading, rendering and checking make no reference cycles to speak of (some 200
    objects at N=1000), so the cycle collector would only walk the growing model and
    rendering again and again: about a tenth of a cold render. Reference counting still
    frees everything; the collector runs again afterwards. ``render`` and ``validate`` both
    run under it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
