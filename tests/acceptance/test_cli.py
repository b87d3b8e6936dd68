"""The commands as users call them: formats, warnings, exit codes, schema and show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import pytest
import yaml
from conftest import BASE, REPO, SAMPLE, run_line

WEB = "applications/shop/microservices/web/aigonix.yaml"


def break_port(tree: Path) -> None:
    web = tree / WEB
    web.write_text(web.read_text().replace("port: 8080", "port: eighty"))


def test_validate_clean_tree_prints_nothing() -> None:
    result = run_line("validate", SAMPLE)
    assert (result.exit_code, result.stdout) == (0, ""), result


def test_validate_json_format(base_tree: Path) -> None:
    break_port(base_tree)
    result = run_line("validate", base_tree, "--format", "json")
    assert result.exit_code == 1, result
    assert json.loads(result.stdout) == {
        "problems": [
            {"file": WEB, "line": 7, "column": 9, "severity": "error", "message": "must be an integer"}
        ]
    }


def test_validate_github_format(base_tree: Path) -> None:
    break_port(base_tree)
    result = run_line("validate", base_tree, "--format", "github")
    assert result.exit_code == 1, result
    assert result.stdout == f"::error file={WEB},line=7,col=9::must be an integer\n"


def test_warnings_pass_unless_strict(base_tree: Path) -> None:
    web = base_tree / WEB
    web.write_text(web.read_text().replace("web:1.0.0", "web:latest"))
    expected = f"{WEB}:6:10: warning: 'testcustomer.azurecr.io/web:latest' is not pinned: use a version tag, not latest\n"
    relaxed = run_line("validate", base_tree)
    assert (relaxed.exit_code, relaxed.stdout) == (0, expected), relaxed
    strict = run_line("validate", base_tree, "--strict")
    assert (strict.exit_code, strict.stdout) == (1, expected), strict


def test_missing_probes_are_a_warning(base_tree: Path) -> None:
    web = base_tree / WEB
    text = web.read_text()
    web.write_text(
        text.replace(
            "  probes:\n    liveness:\n      path: /healthz\n    readiness:\n      path: /ready\n", ""
        )
    )
    result = run_line("validate", base_tree)
    assert result.exit_code == 0, result
    assert result.stdout == (
        f"{WEB}:5:1: warning: no liveness probe: Kubernetes cannot tell when the head hangs, and never restarts it\n"
        f"{WEB}:5:1: warning: no readiness probe: Kubernetes sends the head traffic before it can serve, and while it cannot\n"
    )


def test_unknown_format_is_a_usage_error() -> None:
    result = run_line("validate", BASE, "--format", "xml")
    assert result.exit_code == 2, result


def test_render_needs_an_output_directory() -> None:
    result = run_line("render", BASE)
    assert result.exit_code == 2, result
    assert "Missing option '-o' / '--out'" in result.stderr


def test_schema_prints_each_kind_as_shipped() -> None:
    for kind in ("Customer", "Application", "Microservice"):
        result = run_line("schema", kind.lower())
        assert result.exit_code == 0, result
        assert result.stdout == (REPO / "schemas" / f"{kind.lower()}.schema.json").read_text()
        schema = json.loads(result.stdout)
        assert schema["$id"].endswith(f"/{kind.lower()}.schema.json")


def test_schema_of_an_unknown_kind_is_a_usage_error() -> None:
    result = run_line("schema", "Tenant")
    assert result.exit_code == 2, result
    assert (
        result.stderr
        == "aigonix-render: error: unknown kind 'Tenant': choose one of Customer, Application, Microservice\n"
    )


def test_show_prints_the_merged_configuration() -> None:
    result = run_line("show", SAMPLE, "orders", "--env", "Prod")
    assert result.exit_code == 0, result
    shown = yaml.safe_load(result.stdout)
    assert shown["replicas"] == 3
    assert "DEBUG_SQL" not in shown["env"]
    assert shown["env"]["ZIP_CODE"] == "0042"
    assert shown["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert shown["runtime"] == {
        "image": "dolittle/runtime:9.3.3",
        "resources": {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"cpu": "50m", "memory": "256Mi"}},
        "backwardsCompatibility": "none",
        "managementEndpoint": True,
    }


def test_show_names_secrets_but_never_their_values() -> None:
    result = run_line("show", SAMPLE, "shop/billing", "--env", "Dev")
    assert result.exit_code == 0, result
    shown = yaml.safe_load(result.stdout)
    assert shown["secrets"] == ["DB_PASSWORD", "PAYMENT_API_KEY", "TLS_CLIENT_KEY"]
    assert shown["files"] == ["appsettings.json", "logo.png"]
    assert "BEGIN PRIVATE KEY" not in result.stdout


def test_show_unknown_microservice_is_a_usage_error() -> None:
    result = run_line("show", SAMPLE, "nothing", "--env", "Prod")
    assert result.exit_code == 2, result
    assert (
        result.stderr
        == "aigonix-render: error: no microservice 'nothing' is deployed to an environment 'Prod'\n"
    )


def test_a_bug_says_it_is_one(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from aigonix_render import cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    def leave(code: object) -> NoReturn:  # not the test's process: ``hard_exit`` ends it
        raise SystemExit(code)

    monkeypatch.setattr("aigonix_render.validate.validate_root", broken)
    monkeypatch.setattr("sys.argv", ["aigonix-render", "validate", str(BASE)])
    monkeypatch.setattr(cli, "hard_exit", leave)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 70
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err
    assert err.endswith("aigonix-render: internal error: this is a bug in aigonix-render, please report it\n")
