"""``generate`` reads only what the target application needs, and renders it as before.

The tree: the base tree's customer (its registry credentials) and its application ``shop``
(with secrets), plus applications tied by event horizons:

    tgt  --subscribes to-->  prod            cons --subscribes to--> tgt, far
    side --subscribes to-->  prod            other: names ``tgt`` in a value, subscribes to prod

Generating ``tgt`` needs tgt, prod (its producer), cons (its consumer) and far (cons's
producer, to build cons's model); never shop, side or other (other's file is parsed only
because its bytes name ``tgt``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, run_line

from aigonix_render.commands import generate as generate_module
from aigonix_render.commands import pipeline
from aigonix_render.commands.generate import Target, generate
from aigonix_render.foundation.problems import Problem
from aigonix_render.load import documents, folders, place, reading, select
from aigonix_render.load.documents import Document

PARTITION = "00000000-0000-0000-0000-000000000000"


def guid(n: int) -> str:
    return f"{n:07x}0-0000-4000-8000-{n:012x}"  # the first 7 characters name databases: unique


def application(name: str, n: int) -> dict[str, Any]:
    environments = {
        env: {
            "tenants": [
                {
                    "id": guid(n * 10 + i),
                    "alias": "default",
                    "hosts": [{"host": f"{name}-{env.lower()}.test.example"}],
                }
            ]
        }
        for i, env in enumerate(("Dev", "Prod"))
    }
    return {
        "apiVersion": "aigonix.io/v1",
        "kind": "Application",
        "name": name,
        "id": guid(n),
        "environments": environments,
    }


def microservice(
    name: str, n: int, streams: list[int], horizons: list[tuple[str, str, int]], **extra: Any
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Microservice",
        "name": name,
        "id": guid(n),
        "head": {
            "image": f"testcustomer.azurecr.io/{name.lower()}:1.0.0",
            "probes": {"liveness": {"path": "/healthz"}, "readiness": {"path": "/ready"}},
        },
        "runtime": {"image": "dolittle/runtime:9.3.3", "publicStreams": [guid(s) for s in streams]},
    }
    if horizons:
        document["eventHorizons"] = [
            {
                "producer": {"application": app, "microservice": ms},
                "stream": guid(stream),
                "partition": PARTITION,
                "scope": guid(stream + 500),
            }
            for app, ms, stream in horizons
        ]
    return {**document, **extra}


# folder -> (application name, {microservice folder: document})
APPLICATIONS: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {
    "tgt": (
        "tgt",
        {
            "reader": microservice("Reader", 101, [], [("prod", "Writer", 201)]),
            "source": microservice("Source", 102, [202], []),
        },
    ),
    "prod": ("prod", {"writer": microservice("Writer", 103, [201], [])}),
    "cons": (
        "cons",
        {"sink": microservice("Sink", 104, [], [("tgt", "Source", 202), ("far", "Origin", 203)])},
    ),
    "far": ("far", {"origin": microservice("Origin", 105, [203], [])}),
    "side": ("side", {"watcher": microservice("Watcher", 106, [], [("prod", "Writer", 201)])}),
    "other": (
        "other",
        {"noisy": microservice("Noisy", 107, [], [("prod", "Writer", 201)], env={"PEER": "tgt"})},
    ),
}


def write_tree(root: Path, folders: dict[str, str] | None = None) -> Path:
    """The tree above; ``folders`` renames application folders (name -> folder)."""
    shutil.copytree(BASE, root)
    for n, (folder, (name, microservices)) in enumerate(sorted(APPLICATIONS.items()), start=1):
        app = root / "applications" / (folders or {}).get(name, folder)
        app.mkdir(parents=True)
        (app / "aigonix.yaml").write_text(yaml.safe_dump(application(name, 1000 + n), sort_keys=False))
        for ms_folder, document in microservices.items():
            (app / "microservices" / ms_folder).mkdir(parents=True)
            (app / "microservices" / ms_folder / "aigonix.yaml").write_text(
                yaml.safe_dump(document, sort_keys=False)
            )
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("scale") / "tree")
    assert run_line("validate", "--strict", root).exit_code == 0
    return root


def whole_tree_generate(
    root: Path, target: Target, environ: dict[str, str], patch: pytest.MonkeyPatch
) -> str:
    """``generate`` as it was: the model of the whole tree."""

    def whole(
        root: Path, strict: bool, exclude: tuple[Path, ...] = (), application: str | None = None
    ) -> Any:
        return pipeline.valid_model(root, strict, exclude)

    with patch.context() as inside:
        inside.setattr(generate_module, "valid_model", whole)
        return generate(root, target, environ)


TARGETS = [(app, env) for app in ("tgt", "cons", "prod", "far") for env in ("Dev", "Prod", "_shared")]


@pytest.mark.parametrize(("app", "env"), TARGETS, ids=[f"{a}-{e}" for a, e in TARGETS])
def test_generate_gives_the_same_bytes_as_from_the_whole_tree(
    tree: Path, app: str, env: str, both_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environ = {"SOPS_AGE_KEY_FILE": str(both_keys)}
    selective = generate(tree, Target(app, env), environ)
    assert selective == whole_tree_generate(tree, Target(app, env), environ, monkeypatch)
    assert selective.count("---\n") > 2


def test_the_event_horizons_cross_applications_both_ways(tree: Path) -> None:
    """The comparison above covers what it must: tgt consumes from prod and is consumed by cons."""
    stream = generate(tree, Target("tgt", "Dev"), {})
    consents = next(d for d in stream.split("---\n") if "dev-source-dolittle" in d)
    assert guid(104) in consents  # cons/Sink, the consumer, in Source's consents
    horizons = next(d for d in stream.split("---\n") if "dev-reader-dolittle" in d)
    assert guid(103) in horizons  # prod/Writer, the producer, in Reader's event horizons


def test_generate_equals_the_render_of_the_application_environment(
    tree: Path, both_keys: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run_line("render", tree, "-o", out, env={"SOPS_AGE_KEY_FILE": str(both_keys)}).exit_code == 0
    rendered = sorted(
        p.read_text() for p in (out / "tgt" / "dev").glob("*.yaml") if p.name != "kustomization.yaml"
    )
    assert sorted(generate(tree, Target("tgt", "Dev"), {}).split("---\n")[1:]) == rendered


def recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str], list[str]]:
    """The YAML files parsed, the files read as bytes by the loader, and the manifests the
    search for the target's consumers scanned (their absolute paths)."""
    parsed: list[str] = []
    read: list[str] = []
    scanned: list[str] = []
    real_document, real_file, real_bytes = documents.read_document, reading.read_file, select.manifest_bytes

    def read_document(root: Path, relative: str | Path, *args: Any) -> Document | Problem:
        parsed.append(str(relative))
        return real_document(root, relative, *args)

    def read_file(path: Path, name: str, limit: int) -> Any:
        read.append(name)
        return real_file(path, name, limit)

    def manifest_bytes(path: str) -> bytes | None:
        scanned.append(path)
        return real_bytes(path)

    monkeypatch.setattr(place, "read_document", read_document)
    monkeypatch.setattr(select, "read_document", read_document)
    monkeypatch.setattr(folders, "read_file", read_file)
    monkeypatch.setattr(select, "read_file", read_file)
    monkeypatch.setattr(select, "manifest_bytes", manifest_bytes)
    return parsed, read, scanned


def manifests(*folders: str) -> set[str]:
    found = set()
    for folder in folders:
        found.add(f"applications/{folder}/aigonix.yaml")
        found |= {f"applications/{folder}/microservices/{ms}/aigonix.yaml" for ms in APPLICATIONS[folder][1]}
    return found


def test_generate_parses_only_the_applications_tied_to_the_target(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed, read, scanned = recorded(monkeypatch)
    generate(tree, Target("tgt", "Dev"), {})
    candidate = "applications/other/microservices/noisy/aigonix.yaml"  # its bytes name tgt
    assert set(parsed) == {"aigonix.yaml", "registry.sops.yaml", candidate} | manifests(
        "tgt", "prod", "cons", "far"
    )
    assert not [name for name in read if "/files/" in name or "/environments/" in name]
    assert {str(Path(path).relative_to(tree.resolve())) for path in scanned} == {
        f"applications/{folder}/microservices/{ms}/aigonix.yaml"
        for folder in ("cons", "far", "other", "prod", "side", "shop")
        for ms in (APPLICATIONS[folder][1] if folder != "shop" else ("audit", "billing", "ledger", "web"))
    }
    # read the usual way: only the microservices of applications with a manifest naming tgt
    assert {name for name in read if name.endswith("aigonix.yaml")} == {
        "applications/cons/microservices/sink/aigonix.yaml",
        candidate,
    }


def test_application_folders_need_not_be_named_like_the_application(
    tmp_path: Path, both_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "tree", {"tgt": "target-folder", "far": "far-away", "prod": "p"})
    environ = {"SOPS_AGE_KEY_FILE": str(both_keys)}
    for env in ("Dev", "_shared"):
        selective = generate(root, Target("tgt", env), environ)
        assert selective == whole_tree_generate(root, Target("tgt", env), environ, monkeypatch)


def test_an_unknown_application_names_every_application(tree: Path) -> None:
    result = run_line("generate", tree, "--app", "nope", "--env", "Dev")
    assert result.exit_code == 2, result
    assert (
        "there is no application 'nope' in this tree (cons, far, other, prod, shop, side, tgt)"
        in result.stderr
    )


def test_a_broken_application_the_target_depends_on_fails_generate(tree: Path, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    (root / "applications/far/microservices/origin/aigonix.yaml").write_text("kind: Microservice\n")
    result = run_line("generate", root, "--app", "tgt", "--env", "Dev")
    assert result.exit_code == 1, result
    assert result.stdout == ""
    assert "applications/far/microservices/origin/aigonix.yaml" in result.stderr


def test_a_broken_unrelated_application_does_not_stop_generate(tree: Path, tmp_path: Path) -> None:
    """Its problems are validate's to report (pre-commit, CI), not every Argo CD render's."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    (root / "applications/side/microservices/watcher/aigonix.yaml").write_text("kind: Microservice\n")
    assert run_line("validate", root).exit_code == 1
    assert generate(root, Target("tgt", "Dev"), {}) == generate(tree, Target("tgt", "Dev"), {})
