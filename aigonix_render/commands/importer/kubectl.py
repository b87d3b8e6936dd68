"""``--from-cluster``: run ``kubectl get`` for the namespace and read its output from the pipe.

The objects (Secrets included) go from kubectl's stdout into memory only. The argv is a
list, never a shell line; kubectl's own error (its last line) is passed on, as it names
what is wrong (no such context, forbidden) and holds no object's content.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping

from aigonix_render.commands.importer.dump import DumpSource
from aigonix_render.commands.importer.errors import ClusterError

# What the platform made in an application namespace (the kinds of issue 11's command).
KINDS = (
    "namespace,deployment,service,configmap,secret,ingress,networkpolicy,"
    "statefulset,cronjob,role,rolebinding,serviceaccount"
)
TIMEOUT = 120.0


def kubectl_argv(namespace: str, context: str | None) -> list[str]:
    argv = ["kubectl"] + (["--context", context] if context else [])
    return [*argv, "get", KINDS, "--namespace", namespace, "--output", "yaml"]


def read_cluster(namespace: str, context: str | None, environ: Mapping[str, str]) -> DumpSource:
    """The namespace's objects as kubectl prints them."""
    argv = kubectl_argv(namespace, context)
    binary = shutil.which("kubectl", path=environ.get("PATH"))
    if binary is None:
        raise ClusterError("kubectl is not on PATH: install it, or give the file kubectl get wrote")
    try:
        result = subprocess.run(
            [binary, *argv[1:]], capture_output=True, env=dict(environ), timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(f"kubectl get did not finish within {TIMEOUT:g} s and was stopped") from None
    except OSError as error:
        raise ClusterError(f"could not run kubectl ({error.strerror})") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else "no message"
        raise ClusterError(f"kubectl get failed (exit {result.returncode}): {reason}")
    return DumpSource(f"kubectl get -n {namespace}", result.stdout)
