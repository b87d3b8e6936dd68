"""Issue 21: every command finds the tree's root by walking up from the current folder, and
reports paths relative to the current folder (text) or the repository's top (GitHub)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml
from conftest import BASE, SAMPLE, run_line, run_process

WEB_FOLDER = "applications/shop/microservices/web"
WEB = f"{WEB_FOLDER}/aigonix.yaml"
BROKEN = "must be an integer"


def break_port(tree: Path) -> None:
    web = tree / WEB
    web.write_text(web.read_text().replace("port: 8080", "port: eighty"))


def test_validate_inside_a_microservice_folder_walks_up_to_the_root(base_tree: Path) -> None:
    break_port(base_tree)
    result = run_process("validate", cwd=base_tree / WEB_FOLDER)
    assert (result.exit_code, result.stdout) == (1, f"aigonix.yaml:7:9: error: {BROKEN}\n"), result


def test_text_paths_are_relative_to_the_current_folder(base_tree: Path) -> None:
    break_port(base_tree)
    below = run_process("validate", cwd=base_tree / "applications")
    assert below.stdout == f"shop/microservices/web/aigonix.yaml:7:9: error: {BROKEN}\n", below
    above = run_process("validate", "tree", cwd=base_tree.parent)
    assert above.stdout == f"tree/{WEB}:7:9: error: {BROKEN}\n", above
    customer = base_tree / "aigonix.yaml"
    customer.write_text(customer.read_text() + "colour: blue\n")
    inside = run_process("validate", cwd=base_tree / WEB_FOLDER)
    assert inside.stdout.startswith("../../../../aigonix.yaml:"), inside


def test_set_image_inside_a_microservice_folder(base_tree: Path) -> None:
    result = run_process(
        "set", "image", "web", "testcustomer.azurecr.io/web:1.2.3", cwd=base_tree / WEB_FOLDER
    )
    assert result.exit_code == 0, result
    assert "image: testcustomer.azurecr.io/web:1.2.3" in (base_tree / WEB).read_text()


def test_outside_a_tree_is_a_usage_error(tmp_path: Path) -> None:
    result = run_process("validate", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert result.stderr == (
        f"aigonix-render: error: no aigonix.yaml of kind: Customer in {tmp_path.resolve()} or a folder "
        "above it: run inside a tree, or give its ROOT\n"
    )


def test_the_walk_stops_at_the_top_of_a_git_work_tree(base_tree: Path) -> None:
    inner = base_tree / "vendored"
    (inner / ".git").mkdir(parents=True)
    result = run_process("validate", cwd=inner)
    assert result.exit_code == 2 and "no aigonix.yaml of kind: Customer" in result.stderr, result


def test_a_root_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run_line("validate", tmp_path / "nonexistent")
    assert result.exit_code == 2, result
    assert f"Directory '{tmp_path / 'nonexistent'}' does not exist" in result.stderr
    assert "aigonix.yaml" not in result.stdout + result.stderr


def test_a_given_root_is_used_as_it_is(base_tree: Path) -> None:
    """A ROOT inside a tree is not walked up from: it is the root, and holds no Customer."""
    result = run_line("validate", base_tree / WEB_FOLDER)
    assert result.exit_code == 1, result
    assert "this place holds a Customer, not 'Microservice'" in result.stdout


def test_show_inside_a_microservice_folder(base_tree: Path) -> None:
    result = run_process("show", "web", "--env", "Prod", cwd=base_tree / WEB_FOLDER)
    assert result.exit_code == 0, result
    assert yaml.safe_load(result.stdout)["microservice"] == "Web"


def test_show_takes_the_microservice_first_and_the_root_in_either_place() -> None:
    new = run_line("show", "orders", SAMPLE, "--env", "Prod")
    old = run_line("show", SAMPLE, "orders", "--env", "Prod")
    assert new.exit_code == 0, new
    assert (old.exit_code, old.stdout) == (0, new.stdout), old


def test_show_as_json() -> None:
    result = run_line("show", "orders", SAMPLE, "--env", "Prod", "--format", "json")
    assert result.exit_code == 0, result
    shown = json.loads(result.stdout)
    assert shown == yaml.safe_load(run_line("show", "orders", SAMPLE, "--env", "Prod").stdout)
    assert shown["replicas"] == 3


def test_environment_names_are_case_sensitive() -> None:
    shown = run_line("show", "web", BASE, "--env", "prod")
    assert (shown.exit_code, shown.stdout) == (2, ""), shown
    assert shown.stderr == (
        "aigonix-render: error: no environment 'prod' in this tree (names are case-sensitive): Dev, Prod\n"
    )
    generated = run_line("generate", BASE, "--app", "shop", "--env", "prod")
    assert (generated.exit_code, generated.stdout) == (2, ""), generated
    assert "has no environment 'prod' (Dev, Prod, _shared)" in generated.stderr


def _repository(tmp_path: Path) -> Path:
    """A git work tree holding the base tree, broken, in its folder ``gitops``."""
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    tree = tmp_path / "gitops"
    shutil.copytree(BASE, tree)
    break_port(tree)
    return tree


def test_github_annotations_are_relative_to_the_repository(tmp_path: Path) -> None:
    tree = _repository(tmp_path)
    expected = f"::error file=gitops/{WEB},line=7,col=9::{BROKEN}\n"
    for cwd, root in ((tmp_path, ("gitops",)), (tree / "applications", ())):
        result = run_process("validate", *root, "--format", "github", cwd=cwd)
        assert (result.exit_code, result.stdout) == (1, expected), (cwd, result)


def test_render_check_honours_the_format(tmp_path: Path) -> None:
    tree = _repository(tmp_path)
    annotation = f"::error file=gitops/{WEB},line=7,col=9::{BROKEN}\n"
    for extra, env in ((("--format", "github"), {}), ((), {"GITHUB_ACTIONS": "true"})):
        result = run_process("render", "-o", tmp_path / "out", "--check", *extra, cwd=tree, env=env)
        assert result.exit_code == 1, result
        assert result.stderr == annotation + "aigonix-render: the tree does not validate (1 error)\n"
    text = run_process("render", "-o", tmp_path / "out", "--check", "--format", "text", cwd=tree)
    assert text.stderr.startswith(f"{WEB}:7:9: error: {BROKEN}\n"), text


def test_diff_honours_the_format(base_tree: Path, tmp_path: Path) -> None:
    break_port(base_tree)
    result = run_line("diff", base_tree, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 1, result
    report = result.stderr.removesuffix("aigonix-render: the tree does not validate (1 error)\n")
    assert json.loads(report)["problems"][0]["message"] == BROKEN


def test_the_command_a_message_gives_runs_from_the_current_folder(base_tree: Path) -> None:
    """``sops encrypt -i FILE`` names FILE as the line does: relative to where the user is.
    Run there with the real sops (which finds the tree's .sops.yaml upwards), it fixes it."""
    from conftest import public_key

    from aigonix_render.seal.sops import find_sops

    (base_tree / ".sops.yaml").write_text(f"creation_rules:\n  - age: {public_key('dev')}\n")
    secrets = base_tree / "applications/shop/microservices/billing/environments/Dev/secrets.yaml"
    secrets.write_text("API_KEY: not-a-real-secret\n")
    cwd = base_tree / "applications/shop/microservices"
    result = run_process("validate", cwd=cwd)
    shown = "billing/environments/Dev/secrets.yaml"
    assert f"{shown}:1:1: error: not encrypted with sops: encrypt it with `sops encrypt -i {shown}`\n" in (
        result.stdout
    ), result
    problems = json.loads(run_process("validate", "--format", "json", cwd=cwd).stdout)["problems"]
    rooted = f"applications/shop/microservices/{shown}"
    assert {
        "file": rooted,
        "message": f"not encrypted with sops: encrypt it with `sops encrypt -i {rooted}`",
    } in [
        {"file": p["file"], "message": p["message"]} for p in problems
    ]  # JSON: every path relative to the root
    subprocess.run([find_sops(), "encrypt", "-i", shown], cwd=cwd, check=True, capture_output=True)
    assert "not encrypted with sops" not in run_process("validate", cwd=cwd).stdout
