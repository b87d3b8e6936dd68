"""A property of ``import`` (hypothesis): whatever the dump, an answer and never a crash.

The real dump of ``tests/data/import`` is broken at random — fields replaced by values of
another type (a string where a mapping belongs, a float, a list of numbers, deep nesting,
a name with ``../`` or a newline), objects dropped — and imported through the CLI: the
import exits 0 or 1, prints no traceback, and writes nothing outside TREE.
"""

from __future__ import annotations

import copy
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from conftest import TESTS, public_key, run_line
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

DUMP = TESTS / "data" / "import" / "shop-dump.yaml"
# One rule for every file: the recipients never depend on the names the dump holds.
SOPS_CONFIG = f"creation_rules:\n  - age: {public_key('prod')}\n"

NAMES = st.sampled_from(["../x", "/etc", ".", "..", "a\nb", "a\x00b", "\x1b]0;t\x07", "Prod", "", "x" * 80])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=8), NAMES
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5) | NAMES, inner, max_size=3)
    ),
    max_leaves=6,
)
DEEP = st.integers(60, 70).map(lambda depth: _nested(depth))


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


# The kinds whose fields the import reads beyond their metadata.
READ_KINDS = (
    "Deployment",
    "StatefulSet",
    "CronJob",
    "Ingress",
    "ConfigMap",
    "Secret",
    "RoleBinding",
    "Service",
)


@cache
def _items() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(DUMP.read_bytes())["items"]
    return loaded


# Fields the import reads, for half of the mutations to aim at (the rest fall anywhere).
AIMED = (
    ("Deployment", "spec.template.spec.containers.0.ports"),
    ("Deployment", "spec.template.spec.containers.0.resources.requests"),
    ("Deployment", "spec.template.spec.containers"),
    ("Deployment", "spec.template.spec.volumes"),
    ("Deployment", "spec.replicas"),
    ("Deployment", "spec"),
    ("StatefulSet", "spec.volumeClaimTemplates"),
    ("StatefulSet", "spec.template.spec.containers.0"),
    ("CronJob", "spec.jobTemplate.spec.template.spec.volumes"),
    ("Ingress", "spec.rules"),
    ("Ingress", "spec.tls"),
    ("ConfigMap", "data"),
    ("Secret", "data"),
    ("RoleBinding", "subjects"),
    ("Service", "spec.ports"),
    ("Namespace", "metadata.labels"),
)


def _aimed(data: st.DataObject, items: list[dict[str, Any]]) -> str:
    kind, path = data.draw(st.sampled_from(AIMED))
    node: Any = data.draw(st.sampled_from([i for i in items if i["kind"] == kind]))
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    key: Any = parts[-1]
    for part in parts[:-1]:  # as far as the path exists (an earlier change may have cut it)
        if isinstance(node, dict) and isinstance(part, str) and isinstance(node.get(part), dict | list):
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part] if isinstance(node[part], dict | list) else node
        else:
            break
    if isinstance(node, dict) != isinstance(key, str):
        key = "x" if isinstance(node, dict) else 0
    value = data.draw(st.one_of(VALUES, DEEP))
    if isinstance(node, dict):
        node[key] = value
    else:
        node[:] = [value, *node[1:]]
    return f"{kind}.{path} = {value!r}"[:300]


def _named(item: dict[str, Any]) -> str:
    """An item's kind and name for the note, whatever an earlier change made of them."""
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{item.get('kind')!r}/{name!r}"[:300]


def _mutate(data: st.DataObject, items: list[dict[str, Any]]) -> str:
    """One field of one object replaced (or an object dropped); what was done, for the note."""
    if data.draw(st.booleans()):
        return _aimed(data, items)
    read = [i for i, item in enumerate(items) if item["kind"] in READ_KINDS]
    index = data.draw(st.sampled_from(read) if data.draw(st.booleans()) else st.integers(0, len(items) - 1))
    if data.draw(st.integers(0, 19)) == 0:
        return f"dropped item {index}: {_named(items.pop(index))}"
    node: Any = items[index]
    path = [str(index)]
    while True:
        keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or data.draw(st.integers(0, 5)) == 0:
            node[key] = data.draw(st.one_of(VALUES, DEEP))
            return f"{'.'.join([*path, str(key)])} = {node[key]!r}"[:300]
        path.append(str(key))
        node = child
    return "nothing"


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_a_broken_dump_is_imported_or_refused_never_a_crash(data: st.DataObject) -> None:
    items = copy.deepcopy(_items())
    for _ in range(data.draw(st.integers(1, 3))):
        note(_mutate(data, items))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        dump = work / "dump.yaml"
        dump.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
        tree = work / "out" / "tree"
        tree.mkdir(parents=True)
        (tree / ".sops.yaml").write_text(SOPS_CONFIG)
        result = run_line("import", dump, "-o", tree)
        assert result.exit_code in (0, 1), result
        assert "Traceback" not in result.stderr + result.stdout
        assert sorted(p.name for p in work.iterdir()) == ["dump.yaml", "out"], result
        assert sorted(p.name for p in (work / "out").iterdir()) == ["tree"], result
