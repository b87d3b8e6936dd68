"""The click glue of ``diff --live FILE`` and ``diff --from-cluster NAMESPACE``.

``with_live`` gives ``cli_render``'s ``diff`` command the options of the live comparison
and runs it when one is given; without them the command is ``diff`` as it was.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aigonix_render.commands.cli_options import start_report, tree_root
from aigonix_render.foundation import EXIT_INVALID, EXIT_OK

HELP = """Show what render would change in OUT, with --base REF what the tree changes in the
rendered output since git revision REF, or with --live FILE (or --from-cluster NAMESPACE)
what the first sync of the tree would change in the running namespace. Exit 0 unless
--exit-code (then 1 on a change)."""

LIVE_OPTIONS = [
    click.Option(
        ["--live"],
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=False, allow_dash=True),
        help="Compare with the objects in FILE (kubectl get -o yaml output; - for standard input; repeatable).",
    ),
    click.Option(
        ["--from-cluster"],
        metavar="NAMESPACE",
        default=None,
        help="Compare with the objects kubectl get finds in NAMESPACE.",
    ),
    click.Option(["--context"], default=None, help="With --from-cluster: the kubectl context."),
]


def with_live(diff: click.Command) -> click.Command:
    """``diff`` with ``--live``, ``--from-cluster`` and ``--context``."""
    original: Callable[..., Any] | None = diff.callback
    assert original is not None

    def callback(live: tuple[str, ...], from_cluster: str | None, context: str | None, **options: Any) -> int:
        if context and not from_cluster:
            raise click.UsageError("--context goes with --from-cluster")
        if not live and from_cluster is None:
            return int(original(**options))
        return run_live(live, from_cluster, context, **options)

    return click.Command(
        diff.name,
        callback=callback,
        params=[*diff.params, *LIVE_OPTIONS],
        help=HELP,
        context_settings=diff.context_settings,
    )


def run_live(
    live: tuple[str, ...],
    from_cluster: str | None,
    context: str | None,
    root: Path | None,
    out: Path | None,
    base: str | None,
    format_: str | None,
    exit_code: bool,
    strict: bool,
) -> int:
    """``diff --live`` / ``--from-cluster``: the differences on stdout, problems on stderr."""
    from aigonix_render.commands.importer import read_source
    from aigonix_render.commands.importer.kubectl import read_cluster
    from aigonix_render.commands.live import live_diff
    from aigonix_render.commands.live_format import as_markdown, as_text

    if live and from_cluster is not None:
        raise click.UsageError("give --live FILE or --from-cluster NAMESPACE, not both")
    if out is not None or base is not None:
        raise click.UsageError("--live and --from-cluster compare with a namespace: leave out -o and --base")
    root = tree_root(root)
    markdown = format_ == "markdown"
    report = start_report(root, "text" if markdown else format_)
    if from_cluster is not None:
        sources = [read_cluster(from_cluster, context, os.environ)]
    else:
        sources = [read_source(name, sys.stdin.buffer) for name in live]
    result = live_diff(root, sources, os.environ, from_cluster, strict)
    click.echo(report(list(result.problems)), nl=False, err=True)
    click.echo(as_markdown(result) if markdown else as_text(result), nl=False)
    return EXIT_INVALID if exit_code and result.changed else EXIT_OK
