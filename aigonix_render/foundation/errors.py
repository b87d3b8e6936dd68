"""The one error root: what the user's input or environment got wrong.

Every failure a user can cause or fix is an ``AigonixError``; the CLI turns it into a
one-line message and an exit code. Anything else is a bug and is reported as one.
Messages never carry a secret value or the process environment.
"""

from __future__ import annotations

from aigonix_render.foundation.problems import Problem, Severity

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_OUTSIDE = 3
EXIT_INTERNAL = 70  # a bug: the traceback is printed and says so
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class AigonixError(Exception):
    """The input or the environment is wrong; the message says how to fix it."""

    exit_code = EXIT_OUTSIDE


class InvalidInput(AigonixError):
    """The tree does not validate; ``problems`` says where and why."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]) -> None:
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        noun = "error" if errors == 1 else "errors"
        super().__init__(f"the tree does not validate ({errors} {noun})")
        self.problems = problems


class UsageError(AigonixError):
    """The command line asks for something that does not exist."""

    exit_code = EXIT_USAGE


class SopsError(AigonixError):
    """sops is missing, has no key, or failed on a file."""


class OutputError(AigonixError):
    """The output directory cannot be written safely."""
