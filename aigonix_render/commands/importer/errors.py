"""What can stop an import: a dump that is no Aigonix namespace, or no way to encrypt.

Both are ``AigonixError`` subclasses, so the CLI's one error boundary turns them into a
message and an exit code. Messages name files, objects and keys, never a value.
"""

from __future__ import annotations

from aigonix_render.foundation import EXIT_INVALID, EXIT_OUTSIDE, AigonixError


class DumpError(AigonixError):
    """The dump is not YAML, not Kubernetes objects, or not an Aigonix application namespace."""

    exit_code = EXIT_INVALID


class RecipientsMissing(AigonixError):
    """An environment's Secrets would be encrypted for nobody: nothing is written."""

    exit_code = EXIT_OUTSIDE


class ClusterError(AigonixError):
    """``--from-cluster``: kubectl is missing or could not read the namespace."""

    exit_code = EXIT_OUTSIDE
