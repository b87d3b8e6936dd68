"""Properties over generated trees (hypothesis).

(a) Generated VALID trees (random customer, application and microservice names from the
allowed alphabets, env vars with arbitrary printable unicode values, YAML-hostile ones
among them, ports, replicas, public or internal, ``deployTo`` subsets, per-environment
overrides, the Runtime, event stores, gitops) always validate and render, every rendered
object (but the ``_delivery`` CRDs) passes the strict Kubernetes 1.33 schemas, and every
env var value reaches its ConfigMap exactly.

(b) Randomly MUTATED copies of the base tree (a key deleted, a value's type changed,
garbage characters inserted, a file truncated, a key duplicated, a folder renamed) never
crash: ``validate`` exits 0 or 1 with ``file:line:column: error:`` lines, ``render`` agrees
with it and leaves the previous output alone when it refuses.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, KEYS, Run, public_key, run_line, snapshot
from gateway_api import validate_strictly
from hostile import HOSTILE_VALUES
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

ERROR_LINE = re.compile(r"^[^\s:][^:\n]*:\d+:\d+: error: \S", re.M)
KUBERNETES = "1.33.0"

# --- writing YAML that means exactly what was generated -----------------------------------

# Characters a YAML reader may fold, refuse or strip when written raw: escaped instead.
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def q(value: str) -> str:
    """A double-quoted YAML scalar holding exactly ``value``."""
    text = json.dumps(value, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return q(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{q(k)}: {flow(v)}" for k, v in value.items()) + "}"


def block(document: dict[str, Any], indent: int = 0) -> str:
    """Block mappings, flow lists, quoted strings."""
    lines = []
    pad = "  " * indent
    for key, value in document.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{q(key)}:\n{block(value, indent + 1)}")
        else:
            lines.append(f"{pad}{q(key)}: {flow(value)}\n")
    return "".join(lines)


# --- generating valid trees -----------------------------------------------------------------

PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r")
VALUES = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(PRINTABLE, max_size=40),
    st.lists(
        st.sampled_from([*HOSTILE_VALUES, "ü", "\u2028", "\x85", "\ufeff", "'", '"', "\\", " "]), max_size=4
    ).map("".join),
)
# Kubernetes' own rule for env var names, without the '.', '..' and '..*' it also refuses
# (test_hostile_input has those).
ENV_NAMES = st.from_regex(r"[-._a-zA-Z][-._a-zA-Z0-9]{0,12}", fullmatch=True).filter(
    lambda n: n not in (".", "..") and not n.startswith("..")
)
ENV_MAP = st.dictionaries(ENV_NAMES, VALUES, max_size=6)
ENVIRONMENT_NAMES = st.from_regex(r"[A-Z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?", fullmatch=True)
APP_NAMES = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?", fullmatch=True)
MS_NAMES = st.from_regex(r"[a-zA-Z][-a-z0-9]{0,10}[a-zA-Z0-9]", fullmatch=True)
CUSTOMER_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9 ._-]{0,20}[A-Za-z0-9])?", fullmatch=True)
DNS_LABELS = st.from_regex(r"[a-z]([-a-z0-9]{0,8}[a-z0-9])?", fullmatch=True)
RUNTIME_PORTS = (50052, 9700)  # the Runtime's ports: test_hostile_input checks a head on them
PORTS = st.integers(1, 65535).filter(lambda p: p not in RUNTIME_PORTS)
UUIDS = st.uuids().map(str)
AGE = {"Dev": public_key("dev"), "Prod": public_key("prod")}


def unique_by_lower(
    names: st.SearchStrategy[str], min_size: int, max_size: int
) -> st.SearchStrategy[list[str]]:
    return st.lists(names, min_size=min_size, max_size=max_size, unique_by=str.lower)


def subset(draw: st.DrawFn, items: list[str], min_size: int = 0) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=len(items), unique=True))
    return sorted(chosen, key=items.index)


@st.composite
def valid_trees(draw: st.DrawFn) -> dict[str, Any]:
    """A tree as {relative path: document}, plus what each env var must become."""
    counter = iter(range(1_000_000))
    environments = draw(unique_by_lower(ENVIRONMENT_NAMES, 1, 3))
    gitops = draw(st.booleans())
    customer: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Customer",
        "name": draw(CUSTOMER_NAMES),
        "id": draw(UUIDS),
        "environments": {},
    }
    for env in environments:
        settings_: dict[str, Any] = {
            "production": draw(st.booleans()),
            "recipients": {"age": [draw(st.sampled_from(sorted(AGE.values())))]},
        }
        if draw(st.booleans()):
            settings_["routes"] = {
                "kind": "gateway",
                "gateway": {"name": draw(DNS_LABELS), "namespace": draw(DNS_LABELS)},
            }
        elif draw(st.booleans()):
            settings_["ingress"] = {"className": "nginx", "clusterIssuer": draw(DNS_LABELS)}
        if draw(st.booleans()):
            settings_["cluster"] = {"name": draw(DNS_LABELS), "server": "https://k8s.example"}
        customer["environments"][env] = settings_
    if gitops:
        customer["gitops"] = {
            "repoURL": "https://git.example/platform.git",
            "revision": "main",
            "path": "manifests",
            "flux": {
                "sourceRef": {"kind": "GitRepository", "name": "platform"},
                "decryptionSecret": "sops-age",
            },
            "argocd": {"project": "default", "namespace": "argocd"},
        }
    files: dict[str, dict[str, Any]] = {"aigonix.yaml": customer}
    expected: dict[str, dict[str, str]] = {}  # "<app>/<env>/<ms>" -> env vars
    for app in draw(st.lists(APP_NAMES, min_size=1, max_size=2, unique=True)):
        app_envs = subset(draw, environments, min_size=1)
        application: dict[str, Any] = {
            "apiVersion": "aigonix.io/v1",
            "kind": "Application",
            "name": app,
            "id": draw(UUIDS),
            "environments": {},
        }
        for env in app_envs:
            tenants = []
            aliases = draw(unique_by_lower(st.text(PRINTABLE, min_size=1, max_size=8), 1, 2))
            ids = draw(st.lists(UUIDS, min_size=len(aliases), max_size=len(aliases), unique=True))
            for alias, tenant_id in zip(aliases, ids, strict=True):
                hosts = [
                    {"host": f"h{next(counter)}-{draw(DNS_LABELS)}.example"}
                    | ({"secretName": draw(DNS_LABELS)} if draw(st.booleans()) else {})
                    for _ in range(draw(st.integers(0, 2)))
                ]
                tenants.append({"id": tenant_id, "alias": alias} | ({"hosts": hosts} if hosts else {}))
            application["environments"][env] = {"tenants": tenants}
        if draw(st.booleans()):
            store: dict[str, Any] = {"storage": {"size": "4Gi", "className": draw(DNS_LABELS)}}
            if draw(st.booleans()):
                store["backup"] = {"claimName": draw(DNS_LABELS)}
                if draw(st.booleans()):
                    store["backup"]["schedule"] = draw(
                        st.sampled_from(["0 2 * * *", "@daily", "*/5 * * * *"])
                    )
            application["eventStore"] = store
        if draw(st.booleans()):
            application["developers"] = {"groups": draw(st.lists(UUIDS, min_size=1, max_size=2, unique=True))}
        files[f"applications/{app}/aigonix.yaml"] = application
        for index, name in enumerate(draw(unique_by_lower(MS_NAMES, 1, 3))):
            document, deployed = draw(microservices(name, app_envs, index))
            files[f"applications/{app}/microservices/{name.lower()}/aigonix.yaml"] = document
            for env in deployed:
                merged = dict(document.get("env", {}))
                for key, value in document.get("environments", {}).get(env, {}).get("env", {}).items():
                    if value is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                expected[f"{app}/{env.lower()}/{name.lower()}"] = merged
    return {"files": files, "expected": expected}


@st.composite
def microservices(
    draw: st.DrawFn, name: str, app_envs: list[str], index: int
) -> tuple[dict[str, Any], list[str]]:
    head: dict[str, Any] = {"image": f"registry.example/{name.lower()}:{draw(st.integers(0, 99))}.0.1"}
    if draw(st.booleans()):
        head["port"] = draw(PORTS)
    if draw(st.booleans()):
        head["probes"] = {
            "liveness": {"path": "/healthz"},
            "readiness": {"path": "/ready", "periodSeconds": 5},
        }
    if draw(st.booleans()):
        head["resources"] = {"requests": {"cpu": "25m", "memory": "64Mi"}, "limits": {"memory": "1Gi"}}
    document: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Microservice",
        "name": name,
        "id": draw(UUIDS),
        "head": head,
    }
    if draw(st.booleans()):
        document["replicas"] = draw(st.integers(0, 100))
    if draw(st.booleans()):
        document["ingress"] = {"path": f"/b{index}" + draw(st.sampled_from(["", "/x", "/a.b_c~d"]))}
    if draw(st.booleans()):
        document["runtime"] = {} if draw(st.booleans()) else {"image": "dolittle/runtime:9.3.3"}
    env = draw(ENV_MAP)
    if env:
        document["env"] = env
    deployed = app_envs
    if draw(st.booleans()):
        deployed = subset(draw, app_envs, min_size=1)
        document["deployTo"] = deployed
    overrides: dict[str, Any] = {}
    for env_name in subset(draw, app_envs):
        override: dict[str, Any] = {}
        if draw(st.booleans()):
            override["replicas"] = draw(st.integers(0, 100))
        if draw(st.booleans()):
            removals = (
                {k: None for k in draw(st.lists(st.sampled_from(sorted(env)), unique=True))} if env else {}
            )
            override["env"] = draw(st.dictionaries(ENV_NAMES, VALUES, max_size=3)) | removals
        if draw(st.booleans()):
            override["head"] = {"image": f"registry.example/{name.lower()}:{env_name.lower()}"}
        if draw(st.booleans()):
            override["ingress"] = {"path": f"/o{index}", "pathType": "Exact"}
        overrides[env_name] = override
    if overrides:
        document["environments"] = overrides
    return document, deployed


def write_tree(folder: Path, files: dict[str, dict[str, Any]]) -> Path:
    for relative, document in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block(document), encoding="utf-8")
    return folder


def rendered_objects(out: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(out.rglob("*.yaml")):
        relative = path.relative_to(out)
        if relative.parts[0] == "_delivery" or path.name == "kustomization.yaml":
            continue
        yield relative.as_posix(), yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_yaml_writer_means_what_it_says() -> None:
    from ruamel.yaml import YAML

    tricky = {"k\u2028": ["\x85", "\ufeff", "a\rb", "\x7f", "😀", "tab\t", "'\"\\", "", " lead", "- x", "#"]}
    assert YAML(typ="rt").load(block({"a": tricky, "b": "x"})) == {"a": tricky, "b": "x"}


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_trees())
def test_generated_valid_trees_validate_render_and_pass_kubernetes_schemas(tree: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "tree", tree["files"])
        for relative, document in tree["files"].items():  # the input means what was generated
            assert YAML(typ="rt").load((root / relative).read_text(encoding="utf-8")) == document
        validated = run_line("validate", root)
        assert validated.exit_code == 0, validated
        assert ERROR_LINE.search(validated.stdout) is None, validated
        out = Path(folder) / "out"
        result = run_line("render", root, "-o", out)
        assert result.exit_code == 0, result
        assert "0 Secrets encrypted" in result.stderr
        kinds = set()
        event(f"{len(tree['expected'])} microservice environments")
        for relative, obj in rendered_objects(out):
            note(relative)
            validate_strictly(obj, KUBERNETES)
            kinds.add(obj["kind"])
        assert {"Namespace", "Deployment", "Service", "ConfigMap"} <= kinds
        for key, env in tree["expected"].items():
            app, env_name, ms = key.split("/")
            path = out / app / env_name / f"configmap-{env_name}-{ms}-env-variables.yaml"
            data = yaml.safe_load(path.read_text(encoding="utf-8")).get("data") or {}
            assert data == env, key
        assert run_line("render", root, "-o", out, "--check").exit_code == 0


# --- mutating the base tree -------------------------------------------------------------------

GARBAGE = st.sampled_from(
    [":", ": ", "-", "- ", "[", "]", "{", "}", '"', "'", "\t", "\x00", "&a", "*a", "!", "|", ">",
     "%", "@", "`", "#", "\n", "\n  ", "---\n", "?", ",", "\\", "\ufeff", "ü", "😀", "\x85", "\u2028"]
)  # fmt: skip
FOLDER_NAMES = st.sampled_from(["Web", ".hidden", "a b", "x" * 70, "ünï", "-x", "1", "files", "Prod", "dev"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=10),
    st.just([]),
    st.just({}),
    st.just(["a", 1]),
    st.just({"a": {"b": None}}),
)


def input_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def mapping_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from mapping_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from mapping_paths(value, (*path, index))


def mutate_document(data: st.DataObject, path: Path, name: str, delete: bool) -> str:
    from ruamel.yaml import YAML

    loader = YAML(typ="rt")
    try:
        document = loader.load(path.read_text(encoding="utf-8"))
    except Exception:  # an earlier mutation broke it: leave it broken
        return f"{name}: not YAML any more, nothing to change"
    paths = list(mapping_paths(document))
    if not paths:
        return f"{name}: nothing to change"
    target = data.draw(st.sampled_from(paths))
    parent = document
    for part in target[:-1]:
        parent = parent[part]
    if delete:
        del parent[target[-1]]
        change = "deleted"
    else:
        parent[target[-1]] = data.draw(SCALARS)
        change = f"set to {parent[target[-1]]!r}"
    with path.open("w", encoding="utf-8") as handle:
        loader.dump(document, handle)
    return f"{name}: {list(target)} {change}"


def mutate(data: st.DataObject, root: Path) -> str:
    kind = data.draw(st.sampled_from(["delete", "retype", "garbage", "truncate", "duplicate", "rename"]))
    if kind == "rename":
        folders = sorted(p for p in root.rglob("*") if p.is_dir())
        folder = data.draw(st.sampled_from(folders))
        target = folder.with_name(data.draw(FOLDER_NAMES))
        if target.exists():
            return f"rename {folder.name}: {target.name} exists"
        folder.rename(target)
        return f"renamed {folder.relative_to(root)} to {target.name}"
    path = data.draw(st.sampled_from(input_files(root)))
    name = path.relative_to(root).as_posix()
    raw = path.read_bytes()
    if kind in ("delete", "retype") and path.suffix == ".yaml":
        return mutate_document(data, path, name, kind == "delete")
    if kind == "truncate":
        if not raw:
            return f"{name}: nothing to truncate"
        cut = data.draw(st.integers(0, len(raw) - 1))
        path.write_bytes(raw[:cut])
        return f"{name}: truncated to {cut} bytes"
    if kind == "duplicate":
        lines = raw.split(b"\n")
        keyed = [i for i, line in enumerate(lines) if re.match(rb"\s*[\w.-]+:", line)]
        if not keyed:
            return f"{name}: no key to duplicate"
        index = data.draw(st.sampled_from(keyed))
        lines.insert(index, lines[index])
        path.write_bytes(b"\n".join(lines))
        return f"{name}: line {index + 1} duplicated"
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.one_of(GARBAGE.map(str.encode), st.binary(min_size=1, max_size=3)))
    path.write_bytes(raw[:at] + junk + raw[at:])
    return f"{name}: {junk!r} inserted at byte {at}"


ENCRYPTED = ("secrets.yaml", "registry.sops.yaml")
OUTSIDE = re.compile(
    r"aigonix-render: error: [^\n]*(secrets\.yaml|registry\.sops\.yaml): sops could not decrypt it: .+\n"
)


@pytest.fixture(scope="module")
def base_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The base tree's output, rendered once, and a key file for it."""
    folder = tmp_path_factory.mktemp("mutations")
    key = folder / "both.agekey"
    key.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    tree = folder / "tree"
    shutil.copytree(BASE, tree)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", str(key))
        result = run_line("render", tree, "-o", folder / "out")
    assert result.exit_code == 0, result
    return folder / "out", key


def assert_refusal(run: Run) -> None:
    assert run.exit_code == 1, run
    assert ERROR_LINE.search(run.stdout + run.stderr), run


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_mutated_trees_never_crash(base_output: tuple[Path, Path], data: st.DataObject) -> None:
    template, key = base_output
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "tree"
        shutil.copytree(BASE, root)
        out = Path(folder) / "out"
        shutil.copytree(template, out)
        changes = [mutate(data, root) for _ in range(data.draw(st.integers(1, 3)))]
        for change in changes:
            note(change)
        validated = run_line("validate", root)
        assert validated.exit_code in (0, 1), validated
        if validated.exit_code == 1:
            assert_refusal(validated)
        before = snapshot(out)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOPS_AGE_KEY_FILE", str(key))
            rendered = run_line("render", root, "-o", out)
        event(f"validate {validated.exit_code}, render {rendered.exit_code}")
        if validated.exit_code == 1:
            assert_refusal(rendered)
            assert snapshot(out) == before
        elif rendered.exit_code == 3:  # a changed encrypted file: sops refuses it, nothing written
            assert any(c.split(":")[0].endswith(ENCRYPTED) for c in changes), rendered
            assert OUTSIDE.fullmatch(rendered.stderr), rendered
            assert snapshot(out) == before
        else:
            assert rendered.exit_code == 0, rendered


def test_the_mutator_changes_the_tree() -> None:
    """Each mutation kind really changes something (or says why not)."""

    @settings(max_examples=30, deadline=None, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "tree"
            shutil.copytree(BASE, root)
            before = {p.relative_to(root): p.read_bytes() for p in input_files(root)}
            change = mutate(data, root)
            after = {p.relative_to(root): p.read_bytes() for p in input_files(root)}
            assert before != after or "nothing" in change or "exists" in change or "no key" in change, change

    check()
