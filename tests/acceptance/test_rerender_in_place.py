"""A re-render after a small change writes only the files that change, in place (issue 22):
every other file of OUT keeps its inode; OUT ends as a cold render of the same tree; a change
that is invalid leaves OUT as it was; a run that dies in the middle of the write leaves a
state the next render repairs."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import run_line

import aigonix_render.write.in_place as in_place_module

SHOP = "applications/shop"
WEB = f"{SHOP}/microservices/web/aigonix.yaml"
ORDERS = f"{SHOP}/microservices/orders/aigonix.yaml"
INVENTORY = "applications/warehouse/microservices/inventory/aigonix.yaml"
MARKER = ".aigonix-render"
FINGERPRINT = re.compile(rb"aigonix\.io/sealed-from: \"?(sha256:[0-9a-f]{64})")


def _edit(tree: Path, relative: str, old: str, new: str) -> None:
    path = tree / relative
    text = path.read_text()
    assert old in text, relative
    path.write_text(text.replace(old, new, 1))


def _render(tree: Path, out: Path) -> None:
    result = run_line("render", tree, "-o", out)
    assert result.exit_code == 0, result


def _files(out: Path) -> dict[str, os.stat_result]:
    return {p.relative_to(out).as_posix(): p.lstat() for p in sorted(out.rglob("*")) if p.is_file()}


def _comparable(out: Path) -> dict[str, object]:
    """Every file by its bytes, but a sealed Secret by its fingerprint (sealing is random)
    and the marker without the Secrets' hashes; the marker's other hashes must be the files'."""
    contents: dict[str, bytes] = {}
    view: dict[str, object] = {}
    secrets: set[str] = set()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        relative, content = path.relative_to(out).as_posix(), path.read_bytes()
        found = FINGERPRINT.search(content)
        if found and b"\nsops:\n" in content:
            view[relative] = ("Secret", found.group(1).decode())
            secrets.add(relative)
        else:
            view[relative] = contents[relative] = content
    lines = contents.pop(MARKER).decode().splitlines()
    del view[MARKER]
    listed = {}
    for line in lines:
        if line and not line.startswith("#"):
            digest, listed_path = line.split("  ", 1)
            listed[listed_path] = digest
    assert set(listed) == set(view)
    for relative, content in contents.items():
        assert hashlib.sha256(content).hexdigest() == listed[relative], relative
    view[MARKER] = [line for line in lines if line.partition("  ")[2] not in secrets]
    return view


def test_one_env_var_rewrites_exactly_its_config_map_in_place(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _render(sample_tree, out)
    before = _files(out)
    _edit(sample_tree, WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    result = run_line("render", sample_tree, "-o", out)
    assert result.exit_code == 0, result
    assert "0 added, 1 changed, 0 removed; 0 Secrets encrypted" in result.stderr
    after = _files(out)
    assert sorted(after) == sorted(before)
    new_inodes = sorted(path for path in after if after[path].st_ino != before[path].st_ino)
    assert new_inodes == [MARKER, "shop/dev/configmap-dev-web-env-variables.yaml"]
    newest = max(status.st_ctime_ns for path, status in after.items() if path != MARKER)
    assert after[MARKER].st_ctime_ns > newest  # the next run trusts every file by its time
    assert not any(p.name.startswith(".out.aigonix-") for p in tmp_path.iterdir())
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _comparable(out) == _comparable(cold)


def test_an_invalid_change_leaves_out_untouched(sample_tree: Path, demo_keyed: Path, tmp_path: Path) -> None:
    """A rule across applications (microservice ids unique in the tree) refuses the change:
    nothing of OUT is written, not even in place."""
    out = tmp_path / "out"
    _render(sample_tree, out)
    before = {path: (s.st_ino, s.st_mtime_ns, s.st_ctime_ns) for path, s in _files(out).items()}
    inventory_id = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
    web_id = next(
        line.removeprefix("id: ")
        for line in (sample_tree / WEB).read_text().splitlines()
        if line.startswith("id: ")
    )
    _edit(sample_tree, WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    _edit(sample_tree, WEB, f"id: {web_id}", f"id: {inventory_id}")
    result = run_line("render", sample_tree, "-o", out)
    assert result.exit_code == 1, result
    assert inventory_id in result.stderr
    after = {path: (s.st_ino, s.st_mtime_ns, s.st_ctime_ns) for path, s in _files(out).items()}
    assert after == before


def test_a_producers_change_renders_its_consumers_folders_too(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aigonix_render.render as render_module

    out = tmp_path / "out"
    _render(sample_tree, out)
    _edit(sample_tree, ORDERS, "\nenv:\n", "\nenv:\n  PRODUCER_CHANGED: 'yes'\n")
    rendered: set[str] = set()
    real = render_module.microservice_objects  # type: ignore[attr-defined]

    def spy(folder: Any, app_env: Any, microservice: Any, here: Any) -> None:
        rendered.add(app_env.application.name)
        real(folder, app_env, microservice, here)

    monkeypatch.setattr(render_module, "microservice_objects", spy)
    _render(sample_tree, out)
    assert rendered == {"shop", "warehouse"}
    monkeypatch.undo()
    cold = tmp_path / "cold"
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(demo_keyed))
    _render(sample_tree, cold)
    assert _comparable(out) == _comparable(cold)


def test_a_write_that_dies_midway_is_repaired_by_the_next_render(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the first file was renamed in: OUT holds one new file under the old
    marker, which does not list its bytes; the next render finishes the job."""
    out = tmp_path / "out"
    _render(sample_tree, out)
    _edit(sample_tree, WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")
    _edit(sample_tree, INVENTORY, "\nenv:\n", "\nenv:\n  CHANGED: 'yes'\n")
    real = in_place_module._rename_in
    calls: list[str] = []

    def dies_after_one(root: str, temporary: str, relative: str, text: str) -> None:
        if calls:
            raise KeyboardInterrupt  # as a kill would stop it, the marker not yet written
        calls.append(relative)
        real(root, temporary, relative, text)

    monkeypatch.setattr(in_place_module, "_rename_in", dies_after_one)
    marker_before = (out / MARKER).read_bytes()
    interrupted = run_line("render", sample_tree, "-o", out)
    assert interrupted.exit_code == 130, interrupted  # as Ctrl-C
    assert len(calls) == 1
    assert (out / MARKER).read_bytes() == marker_before
    monkeypatch.setattr(in_place_module, "_rename_in", real)
    _render(sample_tree, out)
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _comparable(out) == _comparable(cold)
