"""The click options and arguments that more than one module of the command line uses.

ROOT is optional everywhere: without it the tree's root is found by walking up from the
current folder (``places.find_root``); a ROOT that is given is the root as it is (a folder
inside a tree is not walked up from), and must exist (a usage error otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from aigonix_render.commands.places import Places, find_root
from aigonix_render.commands.reporter import FORMATS, Report, chosen
from aigonix_render.foundation import UsageError

ROOT = click.argument(
    "root", required=False, default=None, type=click.Path(path_type=Path, file_okay=False, exists=True)
)

FORMAT = click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default=None,
    help="How problems are reported [default: github inside GitHub Actions, else text].",
)


def tree_root(root: Path | None) -> Path:
    """ROOT as given, or the root found by walking up from the current folder (then as a
    path relative to it, ``../..`` inside a microservice's folder, for the messages)."""
    if root is not None:
        return root
    cwd = Path.cwd()
    return Path(os.path.relpath(find_root(cwd), cwd))


def check_output_place(root: Path, out: Path) -> None:
    """An OUT that is ROOT, holds it, or lies inside its ``applications/`` is a usage error
    (exit 2): asking for it is a mistake on the command line, not an outside reason."""
    root, out = root.resolve(), out.resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"the output directory {out} would contain the input tree; choose another")
    if out.is_relative_to(root / "applications"):
        raise UsageError(
            f"the output directory {out} is inside the input folder applications/; choose another"
        )


REPORT = "aigonix_render.report"
"""The key of the run's ``Report`` in click's context meta, where the error boundary finds it."""


def start_report(root: Path, format_: str | None = "text") -> Report:
    """The run's report: ``format_`` (or the default, github inside GitHub Actions) with the
    places of ``root``; kept where the error boundary reports ``InvalidInput`` with it."""
    report = Report(chosen(format_), Places.of(root))
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[REPORT] = report
    return report


def current_report(context: click.Context) -> Report:
    """The report the running command started; plain text before one is."""
    found = context.meta.get(REPORT)
    return found if isinstance(found, Report) else Report("text")
