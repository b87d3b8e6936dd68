"""Writing the imported tree: built beside TREE, then renamed into place.

TREE may be absent or hold only hidden entries (``.git``, the ``.sops.yaml`` the
recipients are read from); anything else needs ``--force``, which replaces the tree's
``aigonix.yaml``, ``registry.sops.yaml`` and ``applications/`` and leaves the rest. The
new files are written into ``.<TREE>.aigonix-import`` beside TREE: an absent TREE is
that folder renamed (one atomic step); into an existing TREE each top-level entry is
renamed, ``aigonix.yaml`` last, so a tree is never seen without its applications.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from aigonix_render.commands.importer.secrets import SOPS_CONFIG
from aigonix_render.foundation import OutputError

REPLACED = ("applications", "registry.sops.yaml", "aigonix.yaml")


def staging_path(tree: Path) -> Path:
    return tree.parent / f".{tree.name}.aigonix-import"


def retired_path(tree: Path) -> Path:
    return tree.parent / f".{tree.name}.aigonix-import-old"


def check_target(tree: Path, force: bool) -> bytes | None:
    """Refuse a TREE with content unless forced; the ``.sops.yaml`` in it, if any."""
    if tree.exists() and not tree.is_dir():
        raise OutputError(f"{tree} is not a folder")
    visible = sorted(p.name for p in tree.iterdir() if not p.name.startswith(".")) if tree.is_dir() else []
    if visible and not force:
        shown = ", ".join(visible[:3]) + (", ..." if len(visible) > 3 else "")
        raise OutputError(f"{tree} is not empty ({shown}): import writes a new tree; --force replaces it")
    config = tree / SOPS_CONFIG
    return config.read_bytes() if config.is_file() else None


def stage(tree: Path, files: dict[str, bytes]) -> Path:
    """All files in the staging folder beside TREE (a leftover of a killed run removed first)."""
    staging = staging_path(tree)
    for leftover in (staging, retired_path(tree)):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        tree.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    except OSError as error:
        discard(tree)
        raise OutputError(f"cannot write beside {tree}: {error.strerror}") from None
    return staging


def swap(tree: Path) -> None:
    staging = staging_path(tree)
    try:
        if not tree.exists():
            os.rename(staging, tree)
            return
        _move_in(staging, tree)
    except OSError as error:
        raise OutputError(f"cannot move the new tree into {tree}: {error.strerror}") from None
    finally:
        discard(tree)


def _move_in(staging: Path, tree: Path) -> None:
    retired = retired_path(tree)
    retired.mkdir()
    names = sorted(p.name for p in staging.iterdir())
    for name in sorted(names, key=lambda n: REPLACED.index(n) if n in REPLACED else -1):
        if (tree / name).exists() or (tree / name).is_symlink():
            os.rename(tree / name, retired / name)
        os.rename(staging / name, tree / name)
    for name in REPLACED:
        if name not in names and (tree / name).exists():
            os.rename(tree / name, retired / name)


def discard(tree: Path) -> None:
    for leftover in (staging_path(tree), retired_path(tree)):
        shutil.rmtree(leftover, ignore_errors=True)
