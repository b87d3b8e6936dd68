"""Stage 1, load: ``load_tree``, the entry point: ROOT → a ``Tree`` and the problems met.

The whole tree (``folders.whole_tree``), or, with ``application=...``, only what rendering
that one application needs (``select.one_application``, for ``generate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aigonix_render.foundation import Problem, Question, ask
from aigonix_render.load.folders import whole_tree
from aigonix_render.load.place import Place, run
from aigonix_render.load.select import one_application, some_applications
from aigonix_render.load.values import Tree


def load_tree(
    root: Path,
    exclude: Sequence[Path] = (),
    libyaml_marks: bool = True,
    application: str | None = None,
    tracked_only: bool = False,
    validated_before: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    git: Question | None = None,
) -> tuple[Tree, list[Problem]]:
    """Read every input file under ``root``; ``exclude`` lists folders to skip (the output).

    With ``application``, only what rendering that application needs (``one_application``);
    the whole tree when no application has that name, so the caller says what there is.
    git is asked once what it ignores under ``root`` (``ignored.ask``): no such file is read.
    With ``tracked_only``, what it does not track (ignored or not): such a file is absent, as
    in the commit (``validate --tracked-only``, the pre-commit hook). The application folders
    in ``validated_before`` (``applications/<folder>``: an incremental render's applications
    it keeps whole) are walked and checked as always, their secrets and sealed files not
    parsed (``ApplicationFolder.validated_before``). With ``only``, the application folders
    it names and those they subscribe to (``select.some_applications``: an incremental
    render's). ``git``: the question to ask git with, when the caller wants its answer too."""
    resolved = root.resolve()
    git = git if git is not None else ask(resolved, tracked_only)
    place = Place(resolved, tuple(p.resolve() for p in exclude), libyaml_marks, git)
    try:
        return _load(place, application, validated_before, only)
    finally:
        place.git.wait()


def _load(
    place: Place, application: str | None, validated_before: frozenset[str], only: frozenset[str] | None
) -> tuple[Tree, list[Problem]]:
    if only is not None:
        return run(some_applications(place, only, validated_before))
    if application is not None:
        tree, problems = run(one_application(place, application))
        if tree is not None:
            return tree, problems
    tree, problems = run(whole_tree(place, validated_before))
    assert tree is not None
    return tree, problems
