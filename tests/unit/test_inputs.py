"""The input digests: what a no-op render trusts to say that nothing changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aigonix_render.foundation import Ignored, tree_relative
from aigonix_render.write.inputs import TreeInputs

SHOP = "applications/shop/"
SOURCES = ("aigonix.yaml", SHOP)


def digest(root: Path) -> str:
    return TreeInputs(root, (), "settings").section(SOURCES)


def tree(root: Path) -> Path:
    """A customer and one application with a microservice, a config file and a secrets file."""
    microservice = root / "applications/shop/microservices/web"
    (microservice / "files").mkdir(parents=True)
    (microservice / "environments/Dev").mkdir(parents=True)
    (root / "aigonix.yaml").write_text("kind: Customer\n")
    (root / "applications/shop/aigonix.yaml").write_text("kind: Application\n")
    (microservice / "aigonix.yaml").write_text("kind: Microservice\n")
    (microservice / "files/app.json").write_text("{}\n")
    (microservice / "environments/Dev/secrets.yaml").write_text("sops: {}\n")
    return root


def test_a_broken_symlink_counts_by_where_it_points(tmp_path: Path) -> None:
    files = tree(tmp_path) / "applications/shop/microservices/web/files"
    (files / "link.yaml").symlink_to(tmp_path / "gone-1.yaml")
    first = digest(tmp_path)
    (files / "link.yaml").unlink()
    (files / "link.yaml").symlink_to(tmp_path / "gone-2.yaml")
    assert digest(tmp_path) != first


def test_a_folder_that_cannot_be_listed_is_a_digest_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readable = digest(tree(tmp_path))
    listing, scanning = os.listdir, os.scandir

    def refuse(path: Any) -> None:
        if os.fspath(path).endswith("microservices"):
            raise PermissionError(13, "Permission denied", path)

    def refused_listing(path: Any) -> list[str]:
        refuse(path)
        return listing(path)

    def refused_scan(path: Any) -> Any:
        refuse(path)
        return scanning(path)

    monkeypatch.setattr(os, "listdir", refused_listing)
    monkeypatch.setattr(os, "scandir", refused_scan)
    assert digest(tmp_path) != readable


def test_every_byte_and_name_the_loader_reads_counts(tmp_path: Path) -> None:
    config = tree(tmp_path) / "applications/shop/microservices/web/files/app.json"
    first = digest(tmp_path)
    config.write_text('{"a": 1}\n')
    changed = digest(tmp_path)
    config.rename(config.with_name("other.json"))
    renamed = digest(tmp_path)
    secrets = tmp_path / "applications/shop/microservices/web/environments/Dev/secrets.yaml"
    secrets.write_text("sops: {mac: x}\n")
    assert len({first, changed, renamed, digest(tmp_path)}) == 4


def test_files_the_loader_does_not_read_do_not_count(tmp_path: Path) -> None:
    """A clone with a key file, editor backups, git's folder or notes beside the inputs
    has the same digests as any other clone of the commit."""
    first = digest(tree(tmp_path))
    web = tmp_path / "applications/shop/microservices/web"
    for extra in (
        "age.agekey",
        "notes.txt~",
        ".git/HEAD",
        "README.md",
        "applications/shop/notes.md",
        "applications/shop/microservices/web/files/app.json~",
        "applications/shop/microservices/web/files/.DS_Store",
        "applications/shop/microservices/web/environments/Dev/secrets.yaml.orig",
    ):
        (tmp_path / extra).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / extra).write_text("not input\n")
    assert (web / "files/app.json~").exists()
    assert digest(tmp_path) == first


def test_the_sections_must_name_every_application_and_no_manifest_may_stray(tmp_path: Path) -> None:
    inputs = TreeInputs(tree(tmp_path), (), "settings")
    sections = inputs.sections({"shop/dev": SOURCES})
    assert inputs.covers(sections)
    (tmp_path / "applications/other").mkdir()
    assert not TreeInputs(tmp_path, (), "settings").covers(sections)
    (tmp_path / "applications/other").rmdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/aigonix.yaml").write_text("kind: Customer\n")
    assert not TreeInputs(tmp_path, (), "settings").covers(sections)


WEB = "applications/shop/microservices/web"


def refused(
    root: Path, files: frozenset[str] = frozenset(), folders: frozenset[str] = frozenset()
) -> str | None:
    inputs = TreeInputs(root, (), "settings")
    inputs.section((*SOURCES, "registry.yaml"))
    return inputs.refused(Ignored(files, folders))


@pytest.mark.parametrize(
    ("files", "folders", "found"),
    [
        ({f"{WEB}/files/app.json"}, set(), f"{WEB}/files/app.json"),
        (set(), {f"{WEB}/files/"}, f"{WEB}/files/app.json"),
        (set(), {f"{WEB}/environments/"}, f"{WEB}/environments/Dev/secrets.yaml"),
        (set(), {"applications/"}, "applications/shop/aigonix.yaml"),
        ({"registry.yaml"}, set(), "registry.yaml"),
        (
            {f"{WEB}/files/app.json~", f"{WEB}/notes.txt", "applications/shop.txt"},
            {"out/", f"{WEB}/files-old/"},
            None,
        ),
    ],
)
def test_an_input_git_ignores_is_refused_and_nothing_else(
    tmp_path: Path, files: set[str], folders: set[str], found: str | None
) -> None:
    (tree(tmp_path) / "registry.yaml").write_text("sops: {}\n")
    assert refused(tmp_path, frozenset(files), frozenset(folders)) == found


def test_a_symlink_to_what_git_ignores_is_refused_and_names_where_it_ends_up(tmp_path: Path) -> None:
    (tree(tmp_path) / "local").mkdir()
    (tmp_path / "local/app.json").write_text("{}\n")
    (tmp_path / WEB / "files/app.json").unlink()
    (tmp_path / WEB / "files/app.json").symlink_to("../../../../../local/app.json")
    assert refused(tmp_path, folders=frozenset({"local/"})) == f"{WEB}/files/app.json"
    first = digest(tmp_path)
    (tmp_path / "local").rename(tmp_path / "moved")
    (tmp_path / "local").symlink_to(tmp_path / "moved")  # the same link, the same bytes, elsewhere
    assert digest(tmp_path) != first


def test_under_strict_an_editors_leftover_is_refused(tmp_path: Path) -> None:
    (tree(tmp_path) / WEB / "files/app.json~").write_text("{}\n")
    for strict, found in ((False, None), (True, f"{WEB}/files/app.json~")):
        inputs = TreeInputs(tmp_path, (), "settings", strict=strict)
        inputs.section(SOURCES)
        assert inputs.refused(Ignored()) == found


def test_a_folder_git_ignores_for_what_it_holds_is_no_refused_input(tmp_path: Path) -> None:
    """An environment folder holding only what git ignores (a ``.DS_Store``) is listed by
    git as an ignored folder; the load finds nothing in it to refuse, and neither does this."""
    junk = tree(tmp_path) / WEB / "environments/Test"
    junk.mkdir()
    (junk / ".DS_Store").write_bytes(b"\0")
    assert refused(tmp_path, folders=frozenset({f"{WEB}/environments/Test/"})) is None


def test_where_a_path_ends_up_is_a_slash_path_in_the_tree_or_none(tmp_path: Path) -> None:
    (tmp_path / "tree/real").mkdir(parents=True)
    (tmp_path / "tree/real/a.yaml").write_text("{}\n")
    (tmp_path / "tree/link").symlink_to("real")
    (tmp_path / "tree/out").symlink_to(tmp_path)
    root = tmp_path / "tree"
    assert tree_relative(root, root / "link/a.yaml") == "real/a.yaml"
    assert tree_relative(root, root / "link/../real/a.yaml") == "real/a.yaml"
    assert tree_relative(root, root / "out/tree/real/a.yaml") == "real/a.yaml"
    assert tree_relative(root, root / "out/elsewhere.yaml") is None
    assert tree_relative(root, "a\0b") is None
