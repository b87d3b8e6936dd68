"""The command line: a thin shell that turns options into calls of the pipeline.

Here: the group with its one error boundary, and the commands that read a tree; the
commands that write one (``init``, ``set``, ``import``) come from ``commands.cli_edit``.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from aigonix_render import __version__
from aigonix_render.commands import reporter
from aigonix_render.commands.cli_edit import import_, init, set_group
from aigonix_render.commands.cli_options import ROOT
from aigonix_render.foundation import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    AigonixError,
    InvalidInput,
    has_errors,
)
from aigonix_render.seal import DEFAULT_TIMEOUT, SOPS_BINARY_VARIABLE

INTERRUPTED = "aigonix-render: interrupted; the output directory is as it was"


class _Commands(click.Group):
    """The one error boundary: every command returns its exit code, and every failure the
    user can fix (an ``AigonixError``) becomes its message on stderr and its exit code here.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except InvalidInput as error:
            click.echo(reporter.text(error.problems), nl=False, err=True)
            click.echo(f"aigonix-render: {error}", err=True)
            ctx.exit(error.exit_code)
        except AigonixError as error:
            click.echo(f"aigonix-render: error: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:  # before click's own "Aborted!" (exit 1)
            click.echo(f"\n{INTERRUPTED}", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        ctx.exit(code or EXIT_OK)


class _Progress:
    """The phase of a long render on one terminal line of stderr; nothing in CI or a pipe."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def show(self, phase: str) -> None:
        if self.enabled:
            click.echo(f"\r\x1b[Kaigonix-render: {phase}…", nl=False, err=True)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", nl=False, err=True)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aigonix-render")
def cli() -> None:
    """Validate an aigonix.yaml tree and render it to Kubernetes YAML with SOPS-sealed Secrets."""


@cli.command()
@ROOT
@click.option(
    "--format",
    "format_",
    type=click.Choice(reporter.FORMATS),
    default=None,
    help="Output format [default: github inside GitHub Actions, else text].",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(root: Path, format_: str | None, strict: bool) -> int:
    """Check the tree against the schemas and the platform's rules (needs no keys)."""
    from aigonix_render.validate import validate_root

    problems = validate_root(root).problems
    chosen = format_ or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    click.echo(reporter.REPORTERS[chosen](problems), nl=False)
    return EXIT_INVALID if has_errors(problems, strict) else EXIT_OK


@cli.command()
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
def render(
    root: Path,
    out: Path,
    check: bool,
    strict: bool,
    jobs: int | None,
    sops_timeout: float,
    sops_binary: bool,
    quiet: bool,
) -> int:
    """Render the tree into OUT, Secrets encrypted with sops."""
    from aigonix_render.commands.pipeline import RenderOptions
    from aigonix_render.commands.pipeline import render as run_render

    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    options = RenderOptions(root, out, check, strict, jobs or 0, sops_timeout, sops_binary, progress.show)
    try:
        result = run_render(options)
    finally:
        progress.clear()
    click.echo(reporter.text(result.problems), nl=False, err=True)
    changes = result.plan
    if check:
        for mark, paths in (("+", changes.added), ("~", changes.changed), ("-", changes.removed)):
            for path in paths:
                click.echo(f"{mark} {out / path}")
        click.echo(f"{out} is {'out of date' if changes.stale else 'up to date'}", err=True)
        return EXIT_INVALID if changes.stale else EXIT_OK
    summary = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"
    click.echo(f"rendered {root} into {out}: {summary}; {result.sealed} Secrets encrypted", err=True)
    return EXIT_OK


@cli.command()
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
    help="Compare with ROOT as it is at git revision REF instead of OUT (needs no OUT and no key; exit 0).",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="With --base: text, or markdown for a pull request comment.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="With --base: exit 1 when the output changed (like git diff --exit-code).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def diff(root: Path, out: Path | None, base: str | None, format_: str, exit_code: bool, strict: bool) -> int:
    """Show what render would change in OUT (exit 1 when it would), or with --base REF what
    the tree changes in the rendered output since git revision REF."""
    if base is not None:
        return _diff_base(root, base, out, format_, exit_code, strict)
    if out is None:
        raise click.UsageError("give -o OUT, or --base REF")
    if format_ != "text" or exit_code:
        raise click.UsageError("--format and --exit-code go with --base")
    from aigonix_render.commands.pipeline import diff as run_diff

    result = run_diff(root, out, strict)
    click.echo(result.text, nl=False)
    return EXIT_INVALID if result.plan.stale else EXIT_OK


def _diff_base(root: Path, base: str, out: Path | None, format_: str, exit_code: bool, strict: bool) -> int:
    """``diff --base``: a report, so exit 0 unless ``--exit-code`` asks about a change."""
    from aigonix_render.commands.review import as_markdown, as_text, review

    if out is not None:
        raise click.UsageError("--base compares with a git revision, not with OUT: leave out -o")
    result = review(root, base, strict)
    click.echo(reporter.text(list(result.problems)), nl=False, err=True)
    click.echo(as_markdown(result) if format_ == "markdown" else as_text(result), nl=False)
    return EXIT_INVALID if exit_code and result.changed else EXIT_OK


@cli.command()
@ROOT
@click.option("--app", "app", default=None, help="The application [env: ARGOCD_ENV_AIGONIX_APP, PARAM_APP].")
@click.option(
    "--env",
    "env",
    default=None,
    help="The environment, or _shared for the application's shared objects [env: ARGOCD_ENV_AIGONIX_ENV, PARAM_ENV].",
)
def generate(root: Path, app: str | None, env: str | None) -> int:
    """Print one application environment (or its application's _shared objects) as a YAML
    stream, Secrets decrypted (Argo CD CMP)."""
    from aigonix_render.commands.generate import generate as run_generate
    from aigonix_render.commands.generate import target_from

    target = target_from(app, env, os.environ)
    stream = run_generate(root, target, os.environ)
    click.echo(stream, nl=False)
    return EXIT_OK


@cli.command()
@ROOT
@click.argument("microservice")
@click.option("--env", "environment", required=True, help="The environment, e.g. Prod.")
def show(root: Path, microservice: str, environment: str) -> int:
    """Print the effective configuration of MICROSERVICE in one environment."""
    import yaml

    from aigonix_render.commands.pipeline import valid_model
    from aigonix_render.commands.show import effective_configuration

    model = valid_model(root, strict=False).model
    configuration = effective_configuration(model, microservice, environment)
    click.echo(yaml.safe_dump(configuration, sort_keys=False, allow_unicode=True), nl=False)
    return EXIT_OK


@cli.command()
@click.argument("kind", required=False)
def schema(kind: str | None) -> int:
    """Print the JSON Schema of KIND (Customer, Application or Microservice)."""
    from aigonix_render.foundation import KINDS, schema_text

    if kind is None:
        click.echo("kinds: " + ", ".join(KINDS) + " (aigonix-render schema KIND prints one)")
        return EXIT_OK
    click.echo(schema_text(kind), nl=False)
    return EXIT_OK


cli.add_command(init)
cli.add_command(set_group)
cli.add_command(import_)


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        click.echo(f"\n{INTERRUPTED}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception:
        traceback.print_exc()
        click.echo(
            "aigonix-render: internal error: this is a bug in aigonix-render, please report it",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
