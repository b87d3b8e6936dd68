"""``set env`` on generated trees: the edit changes exactly the value it names, or nothing.

For any valid generated tree, any microservice, any environment (or none) and any name and
value, ``set env`` either succeeds and the file then reads as before with that one env var
set (every other byte of YAML meaning unchanged, the tree still valid), or it is refused
with exit 1 and the file is byte for byte as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from conftest import run_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from test_properties import valid_trees, write_tree

NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
VALUES = st.text(max_size=24)


def with_env(document: dict[str, Any], environment: str | None, name: str, value: str) -> dict[str, Any]:
    """``document`` as it must read after ``set env``: the env var set where it was asked."""
    expected: dict[str, Any] = _copy(document)
    place = expected
    if environment is not None:
        place = place.setdefault("environments", {}).setdefault(environment, {})
    place.setdefault("env", {})
    place["env"][name] = value
    return expected


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_trees(), st.data(), NAMES, VALUES)
def test_set_env_changes_exactly_what_it_names(
    tree: dict[str, Any], data: st.DataObject, name: str, value: str
) -> None:
    manifests = sorted(r for r in tree["files"] if "/microservices/" in r)
    relative = data.draw(st.sampled_from(manifests), label="microservice")
    document = tree["files"][relative]
    app = relative.split("/")[1]
    environments = sorted(tree["files"][f"applications/{app}/aigonix.yaml"].get("environments") or {})
    environment = data.draw(st.sampled_from([None, *environments]), label="environment")
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "tree", tree["files"])
        before = (root / relative).read_bytes()
        where = ["--env", environment] if environment is not None else []
        result = run_line("set", "env", f"{app}/{document['name']}", f"{name}={value}", *where, root)
        after = (root / relative).read_bytes()
        if result.exit_code != 0:
            assert result.exit_code == 1, result
            assert after == before, "a refused edit leaves the file as it was"
            return
        read = YAML(typ="rt").load(after.decode("utf-8"))
        assert _copy(_plain(read)) == with_env(document, environment, name, value)
        assert run_line("validate", root).exit_code == 0


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node
