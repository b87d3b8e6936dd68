"""The commands that render a tree: ``render`` and ``diff``.

``cli`` registers them on its group; each imports the pipeline inside the function, so
that ``validate`` and ``generate`` start without loading what they do not run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aigonix_render.commands.cli_options import FORMAT, ROOT, check_output_place, start_report, tree_root
from aigonix_render.commands.cli_text import Progress, counted, plain_terminal
from aigonix_render.commands.reporter import FORMATS, Report
from aigonix_render.foundation import EXIT_INVALID, EXIT_OK
from aigonix_render.seal import DEFAULT_TIMEOUT, SOPS_BINARY_VARIABLE


def _stderr(text: str) -> None:
    click.echo(text, nl=False, err=True)


@click.command()
@ROOT
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path), help="The output directory.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when OUT is not up to date.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel sops processes (default: CPUs).",
)
@click.option(
    "--sops-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    envvar="AIGONIX_RENDER_SOPS_TIMEOUT",
    help="Seconds one sops process may take before it is stopped (exit 3).",
)
@click.option(
    "--sops-binary",
    is_flag=True,
    envvar=SOPS_BINARY_VARIABLE,
    help="Run the sops binary for every file (default: age-only files in-process).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on a terminal.")
@FORMAT
def render(
    root: Path | None,
    out: Path,
    check: bool,
    strict: bool,
    jobs: int | None,
    sops_timeout: float,
    sops_binary: bool,
    quiet: bool,
    format_: str | None,
) -> int:
    """Render the tree into OUT, Secrets encrypted with sops."""
    from aigonix_render.commands.pipeline import RenderOptions
    from aigonix_render.commands.pipeline import render as run_render

    root = tree_root(root)
    report = start_report(root, format_)
    check_output_place(root, out)
    terminal = sys.stderr is not None and sys.stderr.isatty()  # None: closed (``2>&-``)
    progress = Progress(not quiet and terminal, plain_terminal(), _stderr)
    options = RenderOptions(root, out, check, strict, jobs or 0, sops_timeout, sops_binary, progress.show)
    try:
        result = run_render(options)
    finally:
        progress.clear()
    _stderr(report(result.problems))
    changes = result.plan
    if check:
        for mark, paths in (("+", changes.added), ("~", changes.changed), ("-", changes.removed)):
            for path in paths:
                click.echo(f"{mark} {out / path}")
        click.echo(f"{out} is {'out of date' if changes.stale else 'up to date'}", err=True)
        return EXIT_INVALID if changes.stale else EXIT_OK
    summary = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"
    encrypted = counted(result.sealed, "Secret")
    click.echo(f"rendered {root} into {out}: {summary}; {encrypted} encrypted", err=True)
    return EXIT_OK


@click.command()
@ROOT
@click.option(
    "-o",
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="The output directory (not with --base).",
)
@click.option(
    "--base",
    default=None,
    metavar="REF",
    help="Compare with ROOT as it is at git revision REF instead of OUT (needs no OUT and no key).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice([*FORMATS, "markdown"]),
    default=None,
    help="How problems are reported (text, json, github [default inside GitHub Actions]); "
    "with --base, markdown prints the review as a pull request comment.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when the output would change (like git diff --exit-code); else exit 0.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def diff(
    root: Path | None, out: Path | None, base: str | None, format_: str | None, exit_code: bool, strict: bool
) -> int:
    """Show what render would change in OUT, or with --base REF what the tree changes in the
    rendered output since git revision REF. Exit 0 unless --exit-code (then 1 on a change)."""
    root = tree_root(root)
    report = start_report(root, "text" if format_ == "markdown" else format_)
    if base is not None:
        return _diff_base(root, base, out, report, format_ == "markdown", exit_code, strict)
    if out is None:
        raise click.UsageError("give -o OUT, or --base REF")
    if format_ == "markdown":
        raise click.UsageError("--format markdown goes with --base")
    check_output_place(root, out)
    from aigonix_render.commands.pipeline import diff as run_diff

    result = run_diff(root, out, strict)
    _stderr(report(result.problems))
    click.echo(result.text, nl=False)
    return EXIT_INVALID if exit_code and result.plan.stale else EXIT_OK


def _diff_base(
    root: Path, base: str, out: Path | None, report: Report, markdown: bool, exit_code: bool, strict: bool
) -> int:
    """``diff --base``: the review of the change since REF on stdout, its problems on stderr."""
    from aigonix_render.commands.review import as_markdown, as_text, review

    if out is not None:
        raise click.UsageError("--base compares with a git revision, not with OUT: leave out -o")
    result = review(root, base, strict)
    _stderr(report(list(result.problems)))
    click.echo(as_markdown(result) if markdown else as_text(result), nl=False)
    return EXIT_INVALID if exit_code and result.changed else EXIT_OK
