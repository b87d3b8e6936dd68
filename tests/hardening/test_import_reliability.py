"""``import`` under hostile dumps (issue 19, "Reliability, round three"), through the CLI.

Names from the dump never write outside TREE; a failed import leaves nothing anywhere and
two imports beside one TREE never mix; a dump is read in bounded work, and a field of a
type kubectl never writes is an error line naming its object, never a traceback; what
reaches the terminal is escaped.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TESTS, Run, public_key, run_line

DUMP = TESTS / "data" / "import" / "shop-dump.yaml"
NAMESPACE = "application-0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c"
SELF_CHECK = "aigonix_render.commands.importer.run.self_check"
RECIPIENTS = ("--age-recipient", f"Dev={public_key('dev')}", "--age-recipient", f"Prod={public_key('prod')}")


def items() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(DUMP.read_bytes())["items"]
    return loaded


def write_dump(folder: Path, objects: list[dict[str, Any]] | str) -> Path:
    path = folder / "dump.yaml"
    text = (
        objects
        if isinstance(objects, str)
        else yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects})
    )
    path.write_text(text)
    return path


def run_import(dump: Path, tree: Path, *more: str) -> Run:
    return run_line("import", dump, "-o", tree, *RECIPIENTS, "--accept-all-changes", *more)


def everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def item(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


# --- 1. names from the dump never write outside TREE ------------------------------------------


def relabel(objects: list[dict[str, Any]], label: str, old: str, new: str) -> None:
    """Every object labelled ``label: old`` relabelled, its name renamed to match, as a
    dump forged to reach a folder outside TREE would be."""
    for obj in objects:
        metadata = obj["metadata"]
        if metadata.get("labels", {}).get(label) != old:
            continue
        metadata["labels"][label] = new
        if label == "environment" and metadata["name"].startswith(f"{old.lower()}-"):
            metadata["name"] = f"{new.lower()}-{metadata['name'][len(old) + 1 :]}"
        elif label == "microservice":
            metadata["name"] = metadata["name"].replace(f"-{old}", f"-{new.lower()}", 1)


ESCAPES = {
    "application": ("shop", "../../escaped"),
    "environment": ("Prod", "../../../../../../escaped"),
    "microservice": ("orders", "../../../../escaped"),
}


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("label", sorted(ESCAPES))
def test_a_name_that_leads_outside_tree_is_refused_and_nothing_is_written(
    tmp_path: Path, label: str, strict: bool
) -> None:
    objects = items()
    old, new = ESCAPES[label]
    relabel(objects, label, old, new)
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    dump = write_dump(tmp_path, objects)
    more = ["--strict"] if strict else []
    envs = {"Dev": "dev", ("Prod" if label != "environment" else new): "prod"}
    recipients = [
        part for env, key in envs.items() for part in ("--age-recipient", f"{env}={public_key(key)}")
    ]
    result = run_line("import", dump, "-o", work / "tree", *recipients, *more)
    assert result.exit_code == 1, result
    assert result.stderr.startswith("aigonix-render: error: the import refuses its input"), result
    assert f"metadata.labels.{label}: {new!r} cannot name" in result.stderr, result
    assert everything(tmp_path) == ["a", "a/b", "a/b/c", "dump.yaml"]


@pytest.mark.parametrize("name", ["/abs", ".", "..", "a\x00b", "a\nb", "Prod/x", "a b", "x" * 70])
def test_every_name_the_tree_refuses_is_an_error_line_naming_the_object(tmp_path: Path, name: str) -> None:
    objects = items()
    relabel(objects, "microservice", "orders", name)
    dump = write_dump(tmp_path, objects)
    result = run_import(dump, tmp_path / "tree")
    assert result.exit_code == 1, result
    assert f"  error: Deployment/{NAMESPACE}/prod-" in result.stderr, result
    assert "metadata.labels.microservice: " in result.stderr and "cannot name a microservice" in result.stderr
    assert everything(tmp_path) == ["dump.yaml"]


# --- 2. one staging folder per run, nothing left by a failure ---------------------------------------


def test_a_second_import_beside_the_same_tree_is_refused_while_one_runs(tmp_path: Path) -> None:
    dump = write_dump(tmp_path, items())
    work = tmp_path / "work"
    work.mkdir()
    descriptor = os.open(work, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_import(dump, work / "tree")
    finally:
        os.close(descriptor)
    assert result.exit_code == 3, result
    assert result.stderr == (
        f"aigonix-render: error: another aigonix-render import is writing in {work}; try again when it has finished\n"
    )
    assert everything(work) == []


def test_an_import_started_while_another_stages_is_refused_and_the_first_writes_its_own_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run starts while the first is checking its staged tree: with one staging
    folder for both, the first could exit 0 with the second's application."""
    from aigonix_render.commands.importer.selfcheck import self_check

    objects = items()
    relabel(objects, "application", "shop", "other")
    (tmp_path / "other").mkdir()
    other = write_dump(tmp_path / "other", objects)
    seen: list[Run] = []

    def second_run_meanwhile(staging: Path, *args: Any) -> Any:
        seen.append(run_import(other, tmp_path / "tree", "--force"))
        return self_check(staging, *args)

    monkeypatch.setattr(SELF_CHECK, second_run_meanwhile)
    first = run_import(write_dump(tmp_path, items()), tmp_path / "tree")
    assert first.exit_code == 0, first
    assert seen[0].exit_code == 3 and "another aigonix-render import is writing" in seen[0].stderr
    assert sorted(p.name for p in (tmp_path / "tree" / "applications").iterdir()) == ["shop"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.yaml", "other", "tree"]


def _interrupt(*args: Any) -> Any:
    raise KeyboardInterrupt


def test_ctrl_c_while_staged_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump = write_dump(tmp_path, items())
    monkeypatch.setattr(SELF_CHECK, _interrupt)
    result = run_import(dump, tmp_path / "new" / "tree")
    assert result.exit_code == 130, result
    assert everything(tmp_path) == ["dump.yaml"]


def test_a_failed_swap_into_an_existing_tree_puts_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = write_dump(tmp_path, items())
    tree = tmp_path / "tree"
    assert run_import(dump, tree).exit_code == 0
    (tree / "README.md").write_text("mine\n")
    before = {p: p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}
    renames: list[tuple[str, str]] = []
    real = os.rename

    def fails_on_the_fourth(source: Any, target: Any) -> None:
        renames.append((str(source), str(target)))
        if len(renames) == 4:
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(os, "rename", fails_on_the_fourth)
    result = run_import(dump, tree, "--force")
    monkeypatch.undo()
    assert result.exit_code == 130, result
    assert {p: p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.yaml", "tree"]


def test_the_leftover_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    dump = write_dump(tmp_path, items())
    for leftover in (".tree.aigonix-import", ".tree.aigonix-import-0a1b2c", ".tree.aigonix-import-old-9f"):
        (tmp_path / leftover / "applications").mkdir(parents=True)
    (tmp_path / ".treehouse").mkdir()
    assert run_import(dump, tmp_path / "tree").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".treehouse", "dump.yaml", "tree"]


# --- 3. bounded work, and an error line instead of a traceback ------------------------------------------


BILLION_LAUGHS = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n  namespace: x\ndata:\n"
    '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"  a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
)


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    dump = write_dump(tmp_path, BILLION_LAUGHS)
    assert dump.stat().st_size < 2000
    started = time.monotonic()
    result = run_import(dump, tmp_path / "tree")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1, result
    assert result.stderr == (
        f"aigonix-render: error: {dump}: its aliases repeat more than 100000 values (a YAML alias bomb?)\n"
    )
    assert everything(tmp_path) == ["dump.yaml"]


def test_a_dump_nested_too_deep_or_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = write_dump(
        tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + "[" * 200 + "]" * 200
    )
    result = run_import(deep, tmp_path / "tree")
    assert (result.exit_code, result.stderr) == (
        1,
        f"aigonix-render: error: {deep}: nested deeper than 64 levels\n",
    )
    monkeypatch.setattr("aigonix_render.commands.importer.dump.DUMP_MAX_BYTES", 1024 * 1024)
    large = write_dump(tmp_path, "# " + "x" * 1024 * 1024 + "\n")
    result = run_import(large, tmp_path / "tree")
    assert result.exit_code == 1, result
    assert result.stderr == f"aigonix-render: error: {large}: larger than 1 MiB: not a dump this tool reads\n"


def _set(kind: str, name: str, path: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        node: Any = item(objects, kind, name)
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return change


WRONG_TYPES = {
    "replicas: 1.5": (
        _set("Deployment", "prod-orders", "spec.replicas", 1.5),
        f"Deployment/{NAMESPACE}/prod-orders spec.replicas: a number where kubectl writes a whole number",
    ),
    "ports: [80]": (
        _set("Deployment", "prod-orders", "spec.template.spec.containers.0.ports", [80]),
        f"Deployment/{NAMESPACE}/prod-orders spec.template.spec.containers[0].ports[0]: a whole number where kubectl writes a mapping",
    ),
    "containers: 5": (
        _set("Deployment", "prod-orders", "spec.template.spec.containers", 5),
        f"Deployment/{NAMESPACE}/prod-orders spec.template.spec.containers: a whole number where kubectl writes a list",
    ),
    "spec: a string": (
        _set("Deployment", "dev-orders", "spec", "x"),
        f"Deployment/{NAMESPACE}/dev-orders spec: a string where kubectl writes a mapping",
    ),
    "metadata.labels: 7": (
        _set("Deployment", "prod-orders", "metadata.labels", 7),
        f"Deployment/{NAMESPACE}/prod-orders metadata.labels: a whole number where kubectl writes a mapping",
    ),
    "data: x": (
        _set("ConfigMap", "prod-orders-env-variables", "data", "x"),
        f"ConfigMap/{NAMESPACE}/prod-orders-env-variables data: a string where kubectl writes a mapping",
    ),
    "a Secret's data: x": (
        _set("Secret", "acr", "data", "x"),
        f"Secret/{NAMESPACE}/acr data: a string where kubectl writes a mapping",
    ),
    "subjects: 3": (
        _set("RoleBinding", "developer", "subjects", 3),
        f"RoleBinding/{NAMESPACE}/developer subjects: a whole number where kubectl writes a list",
    ),
    "replicas: true": (
        _set("StatefulSet", "prod-mongo", "spec.replicas", True),
        f"StatefulSet/{NAMESPACE}/prod-mongo spec.replicas: a boolean where kubectl writes a whole number",
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_a_field_of_the_wrong_type_is_an_error_line_naming_the_object(tmp_path: Path, case: str) -> None:
    change, line = WRONG_TYPES[case]
    objects = items()
    change(objects)
    result = run_import(write_dump(tmp_path, objects), tmp_path / "tree")
    assert result.exit_code == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[1:] == [f"  error: {line}"], result
    assert everything(tmp_path) == ["dump.yaml"]


def test_metadata_that_is_a_list_names_the_object(tmp_path: Path) -> None:
    objects = items()
    item(objects, "Deployment", "prod-orders")["metadata"] = []
    result = run_import(write_dump(tmp_path, objects), tmp_path / "tree")
    assert result.exit_code == 1, result
    assert result.stderr.endswith(", item 9: not a Kubernetes object (no metadata.name)\n"), result


SOPS_CONFIGS = {
    "creation_rules:\n  - path_regex: '['\n    age: KEY\n": ".sops.yaml creation_rules[0].path_regex: not a regular expression",
    "- creation_rules\n": ".sops.yaml: not a mapping (sops reads creation_rules from a mapping)",
    "creation_rules: 5\n": ".sops.yaml creation_rules: not a list of rules",
    "creation_rules:\n  - key_groups: 5\n": ".sops.yaml creation_rules[0].key_groups: not a list of mappings",
}


@pytest.mark.parametrize("config", sorted(SOPS_CONFIGS))
def test_a_sops_config_of_another_shape_is_an_error_line_naming_the_file(tmp_path: Path, config: str) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".sops.yaml").write_text(config.replace("KEY", public_key("prod")))
    result = run_line("import", write_dump(tmp_path, items()), "-o", tree)
    assert result.exit_code == 1, result
    assert result.stderr.splitlines()[1:] == [f"  error: {SOPS_CONFIGS[config]}"], result
    assert everything(tree) == [".sops.yaml"]


# --- 4. what reaches the terminal is escaped ---------------------------------------------------------


def test_a_name_cannot_forge_report_lines_or_reach_the_terminal(tmp_path: Path) -> None:
    objects = items()
    forged = "x\nwarning: forged\x1b]0;owned\x07\x1b[2J"
    objects.append(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": forged, "namespace": NAMESPACE}}
    )
    result = run_import(write_dump(tmp_path, objects), tmp_path / "tree")
    assert result.exit_code == 0, result
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    forged_lines = [line for line in result.stdout.splitlines() if "forged" in line]
    assert forged_lines == [
        "warning: ConfigMap/x\\nwarning: forged\\x1b]0;owned\\x07\\x1b[2J: left out: the platform never made "
        "such an object; the tree cannot hold it"
    ]


def test_an_error_message_cannot_forge_lines_either(tmp_path: Path) -> None:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "ns\n\x1b[31mred"},
    }
    result = run_import(write_dump(tmp_path, [config_map]), tmp_path / "tree")
    assert result.exit_code == 1, result
    assert result.stderr == (
        "aigonix-render: error: ns\\n\\x1b[31mred is not an Aigonix application namespace: "
        "no object in it carries the dolittle.io/application-id annotation\n"
    )
