"""The click options and arguments that more than one module of the command line uses."""

from __future__ import annotations

from pathlib import Path

import click

ROOT = click.argument("root", default=".", type=click.Path(path_type=Path, file_okay=False))
