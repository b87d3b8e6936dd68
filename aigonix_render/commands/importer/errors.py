"""What can stop an import: a dump that is no Aigonix namespace, or no way to encrypt.

All are ``AigonixError`` subclasses, so the CLI's one error boundary turns them into a
message and an exit code. Messages name files, objects and keys, never a value; they are
escaped here, the one place every such message is made (``Escaped``): a name in a dump may
hold a newline, which would forge a line of its own, or an escape sequence for the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from aigonix_render.commands.importer.report import ReportLine, ordered
from aigonix_render.foundation import EXIT_INVALID, EXIT_OUTSIDE, AigonixError, printable


class Escaped(AigonixError):
    """A message whose every character prints: ``message``, then each of ``lines`` on a
    line of its own, indented."""

    def __init__(self, message: str, *lines: str) -> None:
        super().__init__(printable(message) + "".join(f"\n  {printable(line)}" for line in lines))


class DumpError(Escaped):
    """The dump is not YAML, not Kubernetes objects, or not an Aigonix application namespace."""

    exit_code = EXIT_INVALID


class ImportRefused(DumpError):
    """Names or fields of the input (the dump, TREE's ``.sops.yaml``) the tree cannot take:
    the report's error lines, each naming its object or file; nothing is written."""

    def __init__(self, lines: Iterable[ReportLine]) -> None:
        self.lines = ordered(lines)
        count = len(self.lines)
        noun = "error" if count == 1 else "errors"
        heading = f"the import refuses its input ({count} {noun}); nothing was written"
        super().__init__(heading, *(line.text() for line in self.lines))


class RecipientsMissing(Escaped):
    """An environment's Secrets would be encrypted for nobody: nothing is written."""

    exit_code = EXIT_OUTSIDE


class ClusterError(Escaped):
    """``--from-cluster``: kubectl is missing or could not read the namespace."""

    exit_code = EXIT_OUTSIDE


class ImportBusy(AigonixError):
    """Another import holds the lock of TREE's parent folder (exit 3, an outside reason)."""
