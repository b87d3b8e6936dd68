"""sample-repo rendered and compared file by file with the checked-in golden tree.

Regenerate with ``python tests/regenerate_golden.py``. Secrets are compared after
decryption with the demo key (sops encryption is randomised).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from conftest import DEMO_KEY, REPO, SAMPLE, run_line, sops_decrypt

GOLDEN = REPO / "tests" / "golden" / "sample-repo"


def files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".aigonix-render"
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", str(DEMO_KEY))
        result = run_line("render", SAMPLE, "-o", out)
    assert result.exit_code == 0, result
    return out


def test_same_files(rendered: Path) -> None:
    assert files(rendered) == files(GOLDEN)


@pytest.mark.parametrize("name", files(GOLDEN))
def test_file_matches_golden(rendered: Path, name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    actual = (rendered / name).read_text(encoding="utf-8")
    if "\nsops:\n" in expected:
        expected, actual = _plain(GOLDEN / name), _plain(rendered / name)
    diff = "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "rendered")
    )
    assert actual == expected, (
        f"{name} differs from the golden tree (python tests/regenerate_golden.py):\n{diff}"
    )


def _plain(path: Path) -> str:
    """A sealed Secret as plaintext, without the sops metadata that differs per encryption."""
    data = yaml.safe_load(sops_decrypt(path, DEMO_KEY))
    return yaml.safe_dump(data, sort_keys=True, allow_unicode=True)


def test_the_marker_matches_golden_but_for_the_tool_and_the_sealed_files(rendered: Path) -> None:
    """The marker's sections: each folder's inputs, the claims of each application and every
    file's hash, as checked in; aigonix-render's own digest changes with every edit of it,
    and a sealed file's hash with every encryption, so those lines are left out."""

    def lines(folder: Path) -> list[str]:
        sealed = {
            name for name in files(folder) if "\nsops:\n" in (folder / name).read_text(encoding="utf-8")
        }
        text = (folder / ".aigonix-render").read_text(encoding="utf-8")
        return [
            line
            for line in text.splitlines()
            if not line.startswith("# aigonix-render: sha256:") and line.partition("  ")[2] not in sealed
        ]

    expected, actual = lines(GOLDEN), lines(rendered)
    assert any(line.startswith("# claims: ") for line in expected)
    assert actual == expected, "the marker differs from the golden tree (python tests/regenerate_golden.py)"
