"""The commands that write a tree: ``init``, ``set image``, ``set env`` and ``import``.

``cli`` registers them on its group; each imports what it runs inside the function, so that
``generate`` starts without loading them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from aigonix_render.commands.cli_options import ROOT, start_report, tree_root
from aigonix_render.commands.cli_text import counted
from aigonix_render.foundation import EXIT_INVALID, EXIT_OK


@click.command()
@click.argument("folder", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--customer", default=None, help="The customer name (asked on a terminal).")
@click.option("--application", default=None, help="The first application's name (asked on a terminal).")
@click.option(
    "--age-recipient",
    default=None,
    help="The age public key to encrypt for (default: from SOPS_AGE_KEY_FILE, else a new key).",
)
def init(folder: Path, customer: str | None, application: str | None, age_recipient: str | None) -> int:
    """Scaffold a working tree in FOLDER: customer, application, .sops.yaml, pre-commit."""
    from aigonix_render.commands.init import InitOptions, key_message, scaffold

    interactive = sys.stdin.isatty()
    customer = customer or (
        click.prompt("Customer name", default="Example Customer") if interactive else "Example Customer"
    )
    application = application or (
        click.prompt("Application name", default="example") if interactive else "example"
    )
    options = InitOptions(folder, customer, application, age_recipient)
    result = scaffold(options, dict(os.environ))
    for name in result.files:
        click.echo(f"created {folder / name}")
    for name in result.kept:
        click.echo(f"kept {folder / name} (it exists; not replaced)")
    if result.generated_key:
        click.echo(key_message(result.generated_key))
    return EXIT_OK


SET_ENV_OPTION = click.option(
    "--env", "environment", default=None, help="Change the override of one environment, e.g. Prod."
)


@click.group("set")
def set_group() -> None:
    """Change one value in a microservice's aigonix.yaml, keeping its comments and layout."""


@set_group.command("image")
@click.argument("microservice")
@click.argument("image")
@SET_ENV_OPTION
@ROOT
def set_image(microservice: str, image: str, environment: str | None, root: Path | None) -> int:
    """Set the head image of MICROSERVICE (its name, or APP/NAME); validated before writing."""
    from aigonix_render.commands.edit import set_image as run_set_image

    root = tree_root(root)
    report = start_report(root, "text")
    result = run_set_image(root, microservice, image, environment)
    click.echo(report(list(result.warnings)), nl=False, err=True)
    click.echo(result.summary())
    return EXIT_OK


@set_group.command("env")
@click.argument("microservice")
@click.argument("assignment", metavar="NAME=VALUE")
@SET_ENV_OPTION
@ROOT
def set_env(microservice: str, assignment: str, environment: str | None, root: Path | None) -> int:
    """Set the environment variable NAME of MICROSERVICE to the string VALUE (never a secret)."""
    from aigonix_render.commands.edit import set_env as run_set_env
    from aigonix_render.commands.edit import split_assignment

    root = tree_root(root)
    report = start_report(root, "text")
    name, value = split_assignment(assignment)
    result = run_set_env(root, microservice, name, value, environment)
    click.echo(report(list(result.warnings)), nl=False, err=True)
    click.echo(result.summary())
    return EXIT_OK


@click.command("import")
@click.argument("dumps", nargs=-1, metavar="DUMP...", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--out",
    "tree",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The tree to write: absent, or empty but for hidden entries (.git, .sops.yaml).",
)
@click.option(
    "--age-recipient",
    "age_recipients",
    multiple=True,
    metavar="ENV=KEY",
    help="Encrypt ENV's secrets for this age key (repeatable); else TREE/.sops.yaml's creation rules.",
)
@click.option("--from-cluster", metavar="NAMESPACE", default=None, help="Run kubectl get for NAMESPACE.")
@click.option("--context", default=None, help="With --from-cluster: the kubectl context.")
@click.option(
    "--accept",
    "accept",
    multiple=True,
    metavar="KIND/NAME",
    help="Accept the report's changes to this object (repeatable; a pattern such as 'Ingress/prod-*' too).",
)
@click.option(
    "--accept-all-changes",
    "accept_all",
    is_flag=True,
    help="Accept every change the report lists; without it, an unaccepted change writes nothing (exit 1).",
)
@click.option(
    "--strict", is_flag=True, help="Write nothing if the report has warnings, accepted or not (exit 1)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a TREE with content: its aigonix.yaml, registry.sops.yaml and applications/ are replaced.",
)
def import_(
    dumps: tuple[str, ...],
    tree: Path,
    age_recipients: tuple[str, ...],
    from_cluster: str | None,
    context: str | None,
    accept: tuple[str, ...],
    accept_all: bool,
    strict: bool,
    force: bool,
) -> int:
    """Write the tree that renders the Aigonix application namespace in DUMP (kubectl get -o
    yaml output; - for standard input), secrets encrypted, and report what it cannot carry."""
    from aigonix_render.commands.importer import ImportOptions, import_dump, read_source

    if context and not from_cluster:
        raise click.UsageError("--context goes with --from-cluster")
    stdin = sys.stdin.buffer
    sources = tuple(read_source(name, stdin) for name in dumps)
    options = ImportOptions(
        tree, sources, age_recipients, force, strict, from_cluster, context, accept, accept_all
    )
    result = import_dump(options, os.environ)
    click.echo(result.report_text(), nl=False)
    if result.refused:
        changes = counted(len(result.refused), "change")
        click.echo(
            f"aigonix-render: {changes} to the platform's objects not accepted (the report's errors:"
            " --accept KIND/NAME each, or --accept-all-changes); nothing was written",
            err=True,
        )
        return EXIT_INVALID
    if not result.written:
        click.echo(
            f"aigonix-render: --strict: {counted(len(result.warnings), 'warning')}; nothing was written",
            err=True,
        )
        return EXIT_INVALID
    click.echo(f"imported {counted(len(result.files), 'file')} into {tree}", err=True)
    return EXIT_OK
