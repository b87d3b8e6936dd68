"""Regenerate the golden output of sample-repo: ``python tests/regenerate_golden.py``.

Secrets whose sources did not change keep their bytes (their fingerprint matches), so
the diff shows only what really changed. Review it before committing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "sample-repo"


def main() -> int:
    from aigonix_render.commands.pipeline import RenderOptions, render

    os.environ.setdefault("SOPS_AGE_KEY_FILE", str(REPO / "sample-repo" / "demo-age-key.txt"))
    result = render(RenderOptions(REPO / "sample-repo", GOLDEN))
    changes = result.plan
    print(
        f"{GOLDEN}: {len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
