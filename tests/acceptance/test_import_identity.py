"""Issue 20, items 1 and 6: a microservice's id per environment, and an import that fails
loudly.

1. platform-api v4.13.0 gave each environment's Welcome microservice its own id
   (``uuid.New()`` per environment, pkg/platform/application/service.go). The dump
   ``tests/data/import/welcome-dump.yaml`` holds the Welcome of Dev and of Prod as the
   platform made them; imported with ``shop-dump.yaml`` it is one microservice with both
   ids, and the render gives back every Welcome object of both environments.
2. An import that would leave out or change an object the platform made writes nothing
   and exits 1 unless each such object is accepted (``--accept KIND/NAME``,
   ``--accept-all-changes``); what others made is a note and needs no acceptance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, TESTS, run_line
from test_import import (
    BOTH_KEYS,
    DUMP,
    RECIPIENTS,
    SHOP_CHANGES,
    _tolerated,
    as_dump,
    dump_items,
    rendered_objects,
    run_import,
)

from aigonix_render.commands.importer.compare import differences
from aigonix_render.commands.importer.dump import read_dumps
from aigonix_render.commands.importer.recognise import recognise
from aigonix_render.foundation.errors import EXIT_INVALID

WELCOME = TESTS / "data" / "import" / "welcome-dump.yaml"
IDS = {"Dev": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "Prod": "3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f"}
APP = "applications/shop"


def _welcome_items() -> list[dict[str, Any]]:
    """The shop dump with its Role replaced by the Welcome's objects and the Role with their rules."""
    welcome: list[dict[str, Any]] = yaml.safe_load(WELCOME.read_bytes())["items"]
    return [i for i in dump_items() if i["kind"] != "Role"] + welcome


def _welcome_objects() -> dict[str, dict[str, Any]]:
    recognised = recognise(read_dumps([as_dump(_welcome_items())]))
    return {
        f"{o.kind}/{o.name}": dict(o.body)
        for app in recognised.applications
        for o in app.platform
        if o.name.startswith(("dev-welcome", "prod-welcome"))
    }


@pytest.fixture(scope="module")
def welcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("welcome")
    tree, out = folder / "tree", folder / "out"
    result = run_import(tree, as_dump(_welcome_items()), accept=SHOP_CHANGES)
    assert result.written, result.report_text()
    assert [line.text() for line in result.warnings if "welcome" in line.subject.lower()] == []
    rendering = run_line("render", tree, "-o", out, env=BOTH_KEYS)
    assert rendering.exit_code == 0, rendering
    return tree, rendered_objects(out)


def test_the_welcome_of_two_environments_is_one_microservice_with_both_ids(
    welcome: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    tree, _ = welcome
    assert sorted(p.name for p in (tree / APP / "microservices").iterdir()) == [
        "catalog",
        "frontend",
        "legacy",
        "orders",
        "welcome",
    ]
    document = yaml.safe_load((tree / APP / "microservices/welcome/aigonix.yaml").read_text())
    assert document["name"] == "Welcome"
    assert document["id"] == IDS["Prod"]
    assert document["environments"] == {"Dev": {"id": IDS["Dev"]}}


def test_the_welcome_keeps_the_studio_customer_name_of_its_platform_json(
    welcome: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    """platform-api gave the Welcome the Studio name (application/k8s.go), the others the label."""
    tree, rendered = welcome
    document = yaml.safe_load((tree / APP / "microservices/welcome/aigonix.yaml").read_text())
    assert document["platformJson"] == {"customerName": "Acme Corp"}
    for env in ("dev", "prod"):
        welcome_file = json.loads(rendered[f"ConfigMap/{env}-welcome-dolittle"]["data"]["platform.json"])
        orders_file = json.loads(rendered[f"ConfigMap/{env}-orders-dolittle"]["data"]["platform.json"])
        assert (welcome_file["customerName"], orders_file["customerName"]) == ("Acme Corp", "Acme_Corp")


def test_every_welcome_object_of_both_environments_renders_back(
    welcome: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    _, rendered = welcome
    dumped = _welcome_objects()
    assert len(dumped) == 17
    for ref, obj in sorted(dumped.items()):
        assert ref in rendered, f"{ref} is not rendered"
        found = differences(obj, rendered[ref])
        assert [f"{ref} {d.path}: {d.what}" for d in found if not _tolerated(ref, d.path)] == []
    for env, ms_id in IDS.items():
        deployment = rendered[f"Deployment/{env.lower()}-welcome"]
        assert deployment["metadata"]["annotations"]["dolittle.io/microservice-id"] == ms_id
        platform = rendered[f"ConfigMap/{env.lower()}-welcome-dolittle"]["data"]["platform.json"]
        assert f'"microserviceID": "{ms_id}"' in platform


# --- validation: ids unique per environment -------------------------------------------------


def _tree_with(tmp_path: Path, edits: dict[str, Any]) -> Path:
    """The base case with the microservices' documents changed by ``edits`` (folder → a
    function of the document)."""
    tree = tmp_path / "tree"
    run = run_line("validate", BASE)
    assert run.exit_code == 0, run
    for source in BASE.rglob("*"):
        target = tree / source.relative_to(BASE)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    for path, edit in edits.items():
        file = tree / path
        document = yaml.safe_load(file.read_text())
        edit(document)
        file.write_text(yaml.safe_dump(document, sort_keys=False))
    return tree


def _microservices() -> list[str]:
    return sorted(
        p.relative_to(BASE).as_posix() for p in BASE.glob("applications/*/microservices/*/aigonix.yaml")
    )


def _ids() -> dict[str, str]:
    return {p: yaml.safe_load((BASE / p).read_text())["id"] for p in _microservices()}


def _set_env_id(env: str, ms_id: str) -> Any:
    def edit(document: dict[str, Any]) -> None:
        document.setdefault("environments", {}).setdefault(env, {})["id"] = ms_id

    return edit


def test_a_microservice_may_have_another_id_in_one_environment(tmp_path: Path) -> None:
    first = _microservices()[0]
    tree = _tree_with(tmp_path, {first: _set_env_id("Dev", "11111111-2222-4333-8444-555555555555")})
    result = run_line("validate", tree)
    assert result.exit_code == 0, result


def test_an_id_two_microservices_share_in_one_environment_is_refused(tmp_path: Path) -> None:
    first, second = _microservices()[:2]
    other = _ids()[first]
    tree = _tree_with(tmp_path, {second: _set_env_id("Dev", other)})
    result = run_line("validate", tree)
    assert result.exit_code == EXIT_INVALID, result
    document = (tree / second).read_text().splitlines()
    line = next(
        i for i, text in enumerate(document, 1) if text.strip() == f"id: {other}" and text.startswith(" ")
    )
    first_line = next(
        i for i, text in enumerate((tree / first).read_text().splitlines(), 1) if text == f"id: {other}"
    )
    expected = f"{second}:{line}:"
    assert expected in result.stdout + result.stderr, result
    assert (
        f"microservice id '{other}' is already used by {first}:{first_line}" in result.stdout + result.stderr
    )


# --- failing loudly ----------------------------------------------------------------------------


def _two_host_legacy_ingress(text: str) -> str:
    """The dump with a second host added by hand to v2.7.0's Ingress: a route of its own
    (ingress.routes) holds one host, so the tree cannot keep it."""
    document = yaml.safe_load(text)
    for item in document["items"]:
        if (item["kind"], item["metadata"]["name"]) == ("Ingress", "prod-legacy"):
            rules = item["spec"]["rules"]
            rules.append({**rules[0], "host": "legacy.acme.example"})
    return yaml.safe_dump(document, allow_unicode=True)


def test_an_import_with_changes_not_accepted_writes_nothing_and_says_why(tmp_path: Path) -> None:
    recipients = [part for pair in RECIPIENTS for part in ("--age-recipient", pair)]
    dump = tmp_path / "dump.yaml"
    dump.write_text(_two_host_legacy_ingress(DUMP.read_text()))
    result = run_line("import", dump, "-o", tmp_path / "tree", *recipients)
    assert result.exit_code == EXIT_INVALID, result
    assert not (tmp_path / "tree").exists()
    assert (
        "error: Ingress/prod-legacy spec.rules: left out: a route of its own holds one host, not 2"
        " (not accepted: --accept Ingress/prod-legacy or --accept-all-changes)\n"
    ) in result.stdout
    assert (
        "note: ConfigMap/kube-root-ca.crt: left out: Kubernetes (kube-controller-manager) made it, not the platform\n"
        in result.stdout
    )
    assert "\nimport report: " in result.stdout and " errors, 0 warnings, " in result.stdout
    assert result.stderr.endswith(
        "to the platform's objects not accepted (the report's errors: --accept KIND/NAME each, "
        "or --accept-all-changes); nothing was written\n"
    ), result


def test_accepting_some_changes_refuses_the_others(tmp_path: Path) -> None:
    recipients = [part for pair in RECIPIENTS for part in ("--age-recipient", pair)]
    accepted = ["--accept", "Ingress/prod-legacy*", "--accept", "Role/developer"]
    # a log level set by hand in dev-catalog-dolittle, which the render writes as the platform did,
    # and a second host on v2.7.0's Ingress, which the accepted pattern names
    dump = tmp_path / "dump.yaml"
    dump.write_text(
        _two_host_legacy_ingress(DUMP.read_text().replace('"Default": "Debug"', '"Default": "Warning"', 1))
    )
    result = run_line("import", dump, "-o", tmp_path / "tree", *recipients, *accepted)
    assert result.exit_code == EXIT_INVALID, result
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: ConfigMap/dev-catalog-dolittle data[appsettings.json]: changed by the render "
        "(not accepted: --accept ConfigMap/dev-catalog-dolittle or --accept-all-changes)"
    ]
    assert "warning: Ingress/prod-legacy: left out" in result.stdout
    assert not (tmp_path / "tree").exists()


def test_accepting_every_change_writes_the_tree(tmp_path: Path) -> None:
    recipients = [part for pair in RECIPIENTS for part in ("--age-recipient", pair)]
    result = run_line("import", DUMP, "-o", tmp_path / "tree", *recipients, "--accept-all-changes")
    assert result.exit_code == 0, result
    assert "error: " not in result.stdout
    assert (tmp_path / "tree" / APP / "aigonix.yaml").is_file()
