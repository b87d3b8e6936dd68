"""write.py: the plan of a write, the ownership marker, and what a write leaves in OUT."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from aigonix_render.foundation.errors import OutputError
from aigonix_render.foundation.output import OutputFile
from aigonix_render.write import files as write
from aigonix_render.write import intact
from aigonix_render.write.files import recover, staging_path, write_output
from aigonix_render.write.inputs import TreeInputs
from aigonix_render.write.marker import (
    MARKER,
    Marker,
    MarkerInputs,
    marker_text,
    read_marker,
    trusted_previous,
    up_to_date,
)
from aigonix_render.write.plan import plan


def _tree(settings: str) -> TreeInputs:
    """The inputs of a tree with nothing in it, rendered with ``settings``."""
    return TreeInputs(Path("/nonexistent/tree"), (), settings)


FIRST, SECOND, EMPTY = _tree("first"), _tree("second"), _tree("empty")


def _marker(tree: TreeInputs) -> MarkerInputs:
    """The marker's inputs: the tool's digest, and the folders of these tests, reading nothing."""
    return MarkerInputs(tree.tool, {folder: (tree.section(()), ()) for folder in ("app/Dev", ".")})


def _out(tmp_path: Path, files: dict[str, str]) -> Path:
    out = tmp_path / "out"
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)
    written = [OutputFile(p, t) for p, t in files.items()]
    (out / MARKER).write_text(marker_text(written, MarkerInputs("inputs-digest")))
    return out


def test_plan_adds_changes_and_removes(tmp_path: Path) -> None:
    out = _out(tmp_path, {"a/x.yaml": "1\n", "a/y.yaml": "2\n", "a/z.yaml": "3\n"})
    new = [OutputFile("a/x.yaml", "1\n"), OutputFile("a/y.yaml", "22\n"), OutputFile("b/w.yaml", "4\n")]
    result = plan(out, new)
    assert (result.added, result.changed, result.removed) == (("b/w.yaml",), ("a/y.yaml",), ("a/z.yaml",))
    assert result.paths == ["a/y.yaml", "a/z.yaml", "b/w.yaml"]


def test_the_marker_lists_hashes_and_inputs(tmp_path: Path) -> None:
    out = _out(tmp_path, {"a/x.yaml": "1\n"})
    marker = read_marker(out)
    assert marker is not None
    assert marker.inputs == "inputs-digest"
    assert marker.files == {"a/x.yaml": hashlib.sha256(b"1\n").hexdigest()}


def test_only_the_bytes_the_marker_hashed_are_trusted(tmp_path: Path) -> None:
    out = _out(tmp_path, {"a/x.yaml": "1\n"})
    marker = read_marker(out)
    assert trusted_previous(out, "a/x.yaml", marker) == b"1\n"
    (out / "a/x.yaml").write_text("forged\n")
    assert trusted_previous(out, "a/x.yaml", marker) is None
    assert trusted_previous(out, "a/unlisted.yaml", marker) is None
    assert trusted_previous(out, "a/x.yaml", None) is None


@pytest.mark.parametrize("line", ["=======", "abc  a/x.yaml", "0" * 64])
def test_a_damaged_marker_is_an_output_error(tmp_path: Path, line: str) -> None:
    out = _out(tmp_path, {"a/x.yaml": "1\n"})
    (out / MARKER).write_text((out / MARKER).read_text() + line + "\n")
    with pytest.raises(OutputError, match=r"is damaged at line 5 \(a merge conflict or a hand edit\?\)"):
        read_marker(out)


def test_a_git_conflict_that_does_not_end_is_damage(tmp_path: Path) -> None:
    out = _out(tmp_path, {"a/x.yaml": "1\n"})
    (out / MARKER).write_text((out / MARKER).read_text() + "<<<<<<< HEAD\n")
    with pytest.raises(OutputError, match=r"a git conflict in it does not end"):
        read_marker(out)


def test_a_git_conflict_is_read_as_both_sides(tmp_path: Path) -> None:
    """A file either side wrote is trusted and owned; the marker is never up to date."""
    ours, theirs, base = (hashlib.sha256(t).hexdigest() for t in (b"ours\n", b"theirs\n", b"base\n"))
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / MARKER).write_text(
        f"# aigonix-render: tool\n# folder a\n<<<<<<< HEAD\n{ours}  a/x.yaml\n||||||| base\n"
        f"{base}  a/x.yaml\n=======\n{theirs}  a/x.yaml\n{theirs}  a/y.yaml\n>>>>>>> b\n"
    )
    marker = read_marker(out)
    assert marker is not None and marker.conflict == 3
    assert marker.owned() == {"a/x.yaml", "a/y.yaml"}
    for text, trusted in (("ours\n", True), ("theirs\n", True), ("base\n", False)):
        (out / "a/x.yaml").write_text(text)
        assert (trusted_previous(out, "a/x.yaml", marker) is not None) is trusted


def test_after_a_rewrite_the_no_op_check_reads_no_unchanged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged files are hard links into the new OUT, and removing the old OUT touches their
    status-change time: the marker must still be newer, or every no-op hashes every file."""
    out = tmp_path / "out"
    kept = [OutputFile(f"app/Dev/file-{i}.yaml", f"kind: ConfigMap # {i}\n") for i in range(20)]
    write_output(out, kept, _marker(FIRST))
    write_output(out, [*kept, OutputFile("app/Dev/new.yaml", "kind: Secret\n")], _marker(SECOND))
    assert (out / "app/Dev/file-0.yaml").stat().st_nlink == 1  # the old OUT is gone
    read: list[str] = []

    def counted(path: str) -> tuple[bytes, int] | None:
        read.append(path)
        return None

    monkeypatch.setattr(intact, "read_regular", counted)
    assert up_to_date(out, SECOND)
    assert read == []
    (out / "app/Dev/file-3.yaml").write_text("kind: ConfigMap # forged\n")
    assert not up_to_date(out, SECOND)
    assert read == [f"{out}/app/Dev/file-3.yaml"]


def test_new_inputs_with_the_same_files_rewrite_only_the_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = [
        OutputFile("app/Dev/a.yaml", "kind: ConfigMap\n"),
        OutputFile("app/Dev/b.yaml", "kind: Service\n"),
    ]
    write_output(out, files, _marker(FIRST))
    before = {f.path: (out / f.path).stat() for f in files}
    time.sleep(0.02)  # file times tick coarsely
    changes = write_output(out, files, _marker(SECOND))
    assert not changes.stale
    after = {f.path: (out / f.path).stat() for f in files}
    assert {p: (s.st_ino, s.st_ctime_ns) for p, s in after.items()} == {
        p: (s.st_ino, s.st_ctime_ns) for p, s in before.items()
    }  # not even linked again
    assert read_marker(out) == Marker(
        SECOND.tool,
        {f.path: hashlib.sha256(f.text.encode()).hexdigest() for f in files},
        {"app/Dev": (SECOND.section(()), ())},
    )
    assert up_to_date(out, SECOND)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no partial marker beside it


def test_a_symlink_where_a_file_of_ours_was_is_replaced_even_with_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = [OutputFile("app/Dev/a.yaml", "kind: ConfigMap\n")]
    write_output(out, files, _marker(FIRST))
    (tmp_path / "elsewhere.yaml").write_text("kind: ConfigMap\n")
    (out / "app/Dev/a.yaml").unlink()
    (out / "app/Dev/a.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert write_output(out, files, _marker(FIRST)).changed == ("app/Dev/a.yaml",)
    assert not (out / "app/Dev/a.yaml").is_symlink()
    assert (out / "app/Dev/a.yaml").read_text() == "kind: ConfigMap\n"


def test_recover_removes_a_marker_left_half_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [OutputFile("a.yaml", "kind: ConfigMap\n")], _marker(FIRST))
    staging_path(out).mkdir()
    (staging_path(out) / MARKER).write_text("# half a marker")
    recover(out)
    assert not staging_path(out).exists()
    assert up_to_date(out, FIRST)


def test_a_first_render_of_nothing_leaves_an_output_with_only_the_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not write_output(out, [], _marker(EMPTY)).stale
    assert [p.name for p in out.iterdir()] == [MARKER]
    assert up_to_date(out, EMPTY)


def test_a_file_edited_after_the_plan_read_it_is_written_again_not_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    files = [
        OutputFile("app/Dev/a.yaml", "kind: ConfigMap\n"),
        OutputFile("app/Dev/b.yaml", "kind: Service\n"),
    ]
    write_output(out, files, _marker(FIRST))
    carry_over = write._carry_over

    def edited_meanwhile(old: Path, staging: Path, owned: set[str]) -> None:
        time.sleep(0.02)  # file times tick coarsely
        (old / "app/Dev/a.yaml").write_text("kind: ConfigMap # edited during the render\n")
        carry_over(old, staging, owned)

    monkeypatch.setattr(write, "_carry_over", edited_meanwhile)
    write_output(out, [*files, OutputFile("app/Dev/c.yaml", "kind: Secret\n")], _marker(SECOND))
    assert (out / "app/Dev/a.yaml").read_text() == "kind: ConfigMap\n"
    assert up_to_date(out, SECOND)
