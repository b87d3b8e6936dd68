"""The output is a pure function of the input: not of hash seed, time zone, locale or
the order in which the file system lists folders."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DEMO_KEY, SAMPLE, run_process


def non_secret_files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith("secret-") and p.name != ".aigonix-render"
    }


def test_same_bytes_under_different_seeds_zones_and_locales(tmp_path: Path) -> None:
    outputs = []
    for index, (seed, zone, locale) in enumerate(
        (("1", "UTC", "C"), ("4242", "Pacific/Kiritimati", "C.UTF-8"))
    ):
        out = tmp_path / f"out{index}"
        env = {"PYTHONHASHSEED": seed, "TZ": zone, "LC_ALL": locale, "SOPS_AGE_KEY_FILE": str(DEMO_KEY)}
        result = run_process("render", SAMPLE, "-o", out, env=env)
        assert result.exit_code == 0, result
        outputs.append(non_secret_files(out))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 20


def test_same_bytes_whatever_the_folder_creation_order(tmp_path: Path, demo_keyed: Path) -> None:
    forward = tmp_path / "forward"
    backward = tmp_path / "backward"
    shutil.copytree(SAMPLE, forward)
    backward.mkdir()
    for entry in sorted(SAMPLE.iterdir(), reverse=True):
        target = backward / entry.name
        if entry.is_dir():
            _copy_reversed(entry, target)
        else:
            shutil.copy2(entry, target)
    results = [
        run_process("render", tree, "-o", tmp_path / f"out-{tree.name}") for tree in (forward, backward)
    ]
    assert [r.exit_code for r in results] == [0, 0], results
    assert non_secret_files(tmp_path / "out-forward") == non_secret_files(tmp_path / "out-backward")


def _copy_reversed(source: Path, target: Path) -> None:
    target.mkdir()
    for entry in sorted(source.iterdir(), reverse=True):
        if entry.is_dir():
            _copy_reversed(entry, target / entry.name)
        else:
            shutil.copy2(entry, target / entry.name)
