"""The command line: a thin shell that turns options into calls of the pipeline.

Here: the group with its one error boundary, and the commands that read a tree; ``render``
and ``diff`` come from ``commands.cli_render``, the commands that write a tree (``init``,
``set``, ``import``) from ``commands.cli_edit``. Those five are loaded only when one of them
runs (or ``--help`` lists them, ``LATER``): ``render``'s options' defaults load the SOPS
code, which ``generate``, run by Argo CD for every Application, needs only for Secrets, and
``generate`` runs none of them. Without ROOT, every command finds the tree's root by walking
up from the current folder (``commands.places``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from aigonix_render import __version__
from aigonix_render.commands import stdout
from aigonix_render.commands.cli_options import FORMAT, ROOT, current_report, start_report, tree_root
from aigonix_render.commands.cli_text import counted
from aigonix_render.foundation import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    AigonixError,
    InvalidInput,
    Problem,
    Severity,
    UsageError,
    has_errors,
)

INTERRUPTED = "aigonix-render: interrupted; the output directory is as it was"


def _render() -> click.Command:
    from aigonix_render.commands.cli_render import render

    return render


def _diff() -> click.Command:
    from aigonix_render.commands.cli_render import diff
    from aigonix_render.commands.live_cli import with_live

    return with_live(diff)  # diff --live and --from-cluster: commands.live_cli


def _edit(name: str) -> Callable[[], click.Command]:
    """A command of ``commands.cli_edit`` (``init``, ``set``, ``import``), by its name there."""

    def load() -> click.Command:
        from aigonix_render.commands import cli_edit

        command: click.Command = getattr(cli_edit, name)
        return command

    return load


LATER: dict[str, Callable[[], click.Command]] = {
    "render": _render,
    "diff": _diff,
    "init": _edit("init"),
    "set": _edit("set_group"),
    "import": _edit("import_"),
}
"""The commands loaded when first asked for, by name: ``generate`` runs without their modules."""


class _Commands(click.Group):
    """The one error boundary: every command returns its exit code, and every failure the
    user can fix (an ``AigonixError``) becomes its message on stderr and its exit code here.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LATER})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LATER and cmd_name not in self.commands:
            self.add_command(LATER[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except InvalidInput as error:
            click.echo(current_report(ctx)(error.problems), nl=False, err=True)
            click.echo(f"aigonix-render: {_not_valid(error.problems)}", err=True)
            ctx.exit(error.exit_code)
        except AigonixError as error:
            click.echo(f"aigonix-render: error: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:  # before click's own "Aborted!" (exit 1)
            click.echo(f"\n{INTERRUPTED}", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        ctx.exit(code or EXIT_OK)


def _not_valid(problems: list[Problem]) -> str:
    """Why the tree failed: its errors, or, under ``--strict``, its warnings."""
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    if errors:
        return f"the tree does not validate ({counted(errors, 'error')})"
    return f"the tree does not validate with --strict ({counted(len(problems), 'warning')})"


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aigonix-render")
def cli() -> None:
    """Validate an aigonix.yaml tree and render it to Kubernetes YAML with SOPS-sealed Secrets.

    Without ROOT, a command finds the tree's root by walking up from the current folder
    to the nearest aigonix.yaml of kind: Customer (stopping at the git work tree's top).
    """


@cli.command()
@ROOT
@FORMAT
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--tracked-only",
    is_flag=True,
    help="Treat files git does not track as absent, as the commit holds the tree (pre-commit).",
)
def validate(root: Path | None, format_: str | None, strict: bool, tracked_only: bool) -> int:
    """Check the tree against the schemas and the platform's rules, and render it in memory
    to refuse what render would (needs no keys)."""
    from aigonix_render.commands.validation import content_problems

    root = tree_root(root)
    report = start_report(root, format_)
    problems = content_problems(root, strict, tracked_only)
    click.echo(report(problems), nl=False)
    return EXIT_INVALID if has_errors(problems, strict) else EXIT_OK


@cli.command()
@ROOT
@click.option("--app", "app", default=None, help="The application [env: ARGOCD_ENV_AIGONIX_APP, PARAM_APP].")
@click.option(
    "--env",
    "env",
    default=None,
    help="The environment, or _shared for the application's shared objects [env: ARGOCD_ENV_AIGONIX_ENV, PARAM_ENV].",
)
def generate(root: Path | None, app: str | None, env: str | None) -> int:
    """Print one application environment (or its application's _shared objects) as a YAML
    stream, Secrets decrypted (Argo CD CMP)."""
    from aigonix_render.commands.generate import generate as run_generate
    from aigonix_render.commands.generate import target_from

    root = tree_root(root)
    start_report(root, "text")
    target = target_from(app, env, os.environ)
    stream = run_generate(root, target, os.environ)
    click.echo(stream, nl=False)
    return EXIT_OK


@cli.command()
@click.argument("microservice")
@click.argument("root", required=False, default=None, metavar="[ROOT]")
@click.option("--env", "environment", required=True, help="The environment, e.g. Prod (case-sensitive).")
@click.option("--format", "format_", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
def show(microservice: str, root: str | None, environment: str, format_: str) -> int:
    """Print the effective configuration of MICROSERVICE (its name, or APP/NAME) in one
    environment. ``show ROOT MICROSERVICE`` works too: with two arguments, the one that is
    a folder is ROOT (the second, when both are)."""
    import json

    import yaml

    from aigonix_render.commands.show import effective_configuration
    from aigonix_render.commands.valid import valid_model

    microservice, found = _show_arguments(microservice, root)
    start_report(found, "text")
    model = valid_model(found, strict=False).model
    configuration = effective_configuration(model, microservice, environment)
    if format_ == "json":
        click.echo(json.dumps(configuration, indent=2, ensure_ascii=False))
    else:
        click.echo(yaml.safe_dump(configuration, sort_keys=False, allow_unicode=True), nl=False)
    return EXIT_OK


def _show_arguments(first: str, second: str | None) -> tuple[str, Path]:
    """MICROSERVICE and the root: ``MICROSERVICE [ROOT]``, or the older ``ROOT MICROSERVICE``
    when only the first of two arguments is a folder."""
    if second is None:
        return first, tree_root(None)
    if Path(second).is_dir():
        return first, Path(second)
    if Path(first).is_dir():
        return second, Path(first)
    raise UsageError(f"the folder {second!r} does not exist (show MICROSERVICE [ROOT] --env ENV)")


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


def main() -> None:
    """Run the command line, then end the process at once (``hard_exit``)."""
    try:
        _main()
    except SystemExit as done:
        hard_exit(done.code)
    hard_exit(EXIT_OK)


def hard_exit(code: object) -> NoReturn:
    """End the process with ``code`` (as ``sys.exit`` takes it) once the standard streams are
    flushed, without tearing down every object one by one: freeing a large render's model
    costs 0.1 s and more, for nothing (mypy ends the same way, ``util.hard_exit``). Nothing
    is left for an exit handler: every file, lock, thread and child process is closed,
    released or waited for before a command returns."""
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):
        if sys.stderr is not None:
            print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: the stream was closed when the process started
            with contextlib.suppress(Exception):  # a reader gone, say: told already (``_main``)
                stream.flush()
    os._exit(code)


def _main() -> None:
    """Standard output that cannot be written ends here, once: one line and exit 3 (a reader
    that goes away is no failure: the rest is dropped, ``stdout``)."""
    stdout.guard()
    try:
        try:
            cli(prog_name="aigonix-render")
        finally:
            if sys.stdout is not None:  # None: closed when the process started (``>&-``)
                sys.stdout.flush()
    except stdout.StdoutFailed as error:
        stdout.discard()
        click.echo(f"aigonix-render: error: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo(f"\n{INTERRUPTED}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception:
        import traceback  # not at start-up: it loads the tokenizer

        traceback.print_exc()
        click.echo(
            "aigonix-render: internal error: this is a bug in aigonix-render, please report it",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
