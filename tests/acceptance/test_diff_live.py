"""``diff --live``: what the first sync of a tree would change in the running namespace.

The platform's dump (``tests/data/import/shop-dump.yaml``) is imported, then compared with
itself: what remains are the known gaps of the import. A change to any field of any of its
objects must show, a Secret's values never.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import KEYS, TESTS, recipient_options, run_line
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aigonix_render.commands.importer.cluster import without_server_fields
from aigonix_render.commands.importer.compare import differences
from aigonix_render.commands.importer.kubectl import kubectl_argv
from aigonix_render.commands.live_format import MARKER
from aigonix_render.foundation import KAFKA_FILES, names

DUMP = TESTS / "data" / "import" / "shop-dump.yaml"
NAMESPACE = "application-0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c"
BOTH_KEYS = {"SOPS_AGE_KEY": (KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text()}
NO_KEY = {"SOPS_AGE_KEY": (KEYS / "other.agekey").read_text()}

# Each "+", "~" and "-" line, with the field lines under it, is a known gap of issue 20.2
# (the import cannot yet make the tree render the platform's object exactly); whoever
# closes one removes its lines here. None is left: the first sync changes nothing.
KNOWN_GAPS = (
    "\n".join(
        [
            f"no difference between the tree and the live namespace {NAMESPACE} (application shop)",
            "note: the tree adds argocd.argoproj.io/sync-options: Prune=false,Delete=false, "
            "kustomize.toolkit.fluxcd.io/prune: disabled to 3 objects (neither Argo CD nor Flux prunes what "
            "holds data); not counted",
            "note: left out, not the tree's (Kubernetes, cert-manager or other kinds): ConfigMap/kube-root-ca.crt, "
            "Secret/devops-token-7xk2p, Secret/nifty-lovelace-certificate, Secret/second-acme-example-certificate, "
            "Secret/shop-acme-example-certificate, ServiceAccount/default",
        ]
    )
    + "\n"
)
_GAP_OBJECTS = {
    tuple(line[2:].split(" ")[:2]) for line in KNOWN_GAPS.splitlines() if line[:2] in ("+ ", "~ ", "- ")
}
_OTHERS = {"kube-root-ca.crt", "default", "devops-token-7xk2p"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dump imported, as a user imports it."""
    tree = tmp_path_factory.mktemp("live") / "tree"
    recipients = recipient_options()
    result = run_line("import", DUMP, "-o", tree, *recipients, "--accept-all-changes")
    assert result.exit_code == 0, result
    return tree


def _items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(DUMP.read_bytes())["items"]
    return items


def _write(folder: Path, items: list[dict[str, Any]]) -> Path:
    path = folder / "live.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, allow_unicode=True))
    return path


def _item(items: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(i for i in items if i["kind"] == kind and i["metadata"]["name"] == name)


def test_the_import_of_a_dump_differs_from_it_only_by_the_known_gaps(tree: Path) -> None:
    result = run_line("diff", "--live", DUMP, tree, env=BOTH_KEYS)
    assert (result.exit_code, result.stdout, result.stderr) == (0, KNOWN_GAPS, ""), result
    assert run_line("diff", "--live", DUMP, tree, "--exit-code", env=BOTH_KEYS).exit_code == 0


def test_what_the_tree_generates_is_no_difference(tree: Path, tmp_path: Path) -> None:
    """The objects Argo CD applies from the tree: no difference; the retention annotations,
    gone from them, are a note that does not count (the one difference exact adoption
    allows). The imported tree asks for exact adoption, so its objects carry no
    app.kubernetes.io label and its Secrets no fingerprint."""
    stream = ""
    for env in ("_shared", "Dev", "Prod"):
        generated = run_line("generate", tree, "--app", "shop", "--env", env, env=BOTH_KEYS)
        assert generated.exit_code == 0, generated
        stream += generated.stdout
    same = tmp_path / "same.yaml"
    same.write_text(stream)
    result = run_line("diff", "--live", same, tree, "--exit-code", env=BOTH_KEYS)
    no_difference = f"no difference between the tree and the live namespace {NAMESPACE} (application shop)\n"
    assert (result.exit_code, result.stdout) == (0, no_difference), result
    assert "app.kubernetes.io/" not in stream and "aigonix.io/sealed-from" not in stream
    objects = [o for o in yaml.safe_load_all(stream) if o]
    for obj in objects:
        metadata = obj["metadata"]
        for key in ("argocd.argoproj.io/sync-options", "kustomize.toolkit.fluxcd.io/prune"):
            (metadata.get("annotations") or {}).pop(key, None)
    same.write_text(yaml.safe_dump_all(objects))
    result = run_line_stdin(same.read_text(), "diff", "--live", "-", tree, "--exit-code")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == no_difference.rstrip("\n")
    assert [line.split(" to ")[0] for line in result.stdout.splitlines()[1:]] == [
        "note: the tree adds argocd.argoproj.io/sync-options: Prune=false,Delete=false, "
        "kustomize.toolkit.fluxcd.io/prune: disabled",
    ]


def test_with_exact_adoption_the_renders_labels_and_fingerprint_count(tree: Path, tmp_path: Path) -> None:
    """Live objects a tree without exact adoption made (its labels, a Secret's fingerprint):
    the exact tree removes them, so they are differences like any other, not notes."""
    items = _items()
    labels = _item(items, "Deployment", "prod-orders")["metadata"]["labels"]
    labels["app.kubernetes.io/managed-by"] = "aigonix-render"
    secret = _item(items, "Secret", "prod-orders-secret-env-variables")["metadata"]
    secret.setdefault("annotations", {})["aigonix.io/sealed-from"] = "sha256:" + "0" * 64
    result = run_line("diff", "--live", _write(tmp_path, items), tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    assert (
        '\n~ Deployment prod-orders\n    metadata.labels[app.kubernetes.io/managed-by]: "aigonix-render" -> (none)\n'
        in result.stdout
    ), result
    assert (
        "\n~ Secret prod-orders-secret-env-variables\n"
        f'    metadata.annotations[aigonix.io/sealed-from]: "sha256:{"0" * 64}" -> (none)\n'
    ) in result.stdout, result
    assert "app.kubernetes.io/name, part-of and managed-by" not in result.stdout


def run_line_stdin(text: str, *args: str | Path) -> Any:
    from click.testing import CliRunner

    from aigonix_render.cli import cli

    result = CliRunner().invoke(
        cli, [str(a) for a in args], input=text, env=BOTH_KEYS, catch_exceptions=False
    )
    return result


# --- any change shows ------------------------------------------------------------------------


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [path] if isinstance(value, str | int | float | bool) else []


def _compared(item: dict[str, Any]) -> bool:
    """An object of the namespace that the tree renders and that is no known gap."""
    kind, name = item["kind"], item["metadata"]["name"]
    if kind == "Namespace":
        return bool(name == NAMESPACE)
    others = (
        name in _OTHERS or "certificate" in name or item.get("type") == "kubernetes.io/service-account-token"
    )
    return (kind, name) not in _GAP_OBJECTS and not bool(others)


def _candidates() -> list[tuple[str, str, tuple[Any, ...]]]:
    """(kind, name, path) of every scalar a user wrote in an object the tree renders."""
    found = []
    for item in filter(_compared, _items()):
        kind, name = item["kind"], item["metadata"]["name"]
        for path in _leaves(without_server_fields(item)):
            if path[:1] != ("kind",) and path[:2] not in (("metadata", "name"), ("metadata", "namespace")):
                found.append((kind, name, path))
    return found


CANDIDATES = _candidates()


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 7
    return f"{value}-changed"


def _sealed_config_maps(tree: Path) -> set[tuple[str, str]]:
    """The ConfigMaps the tree seals like Secrets: each environment's kafka files."""
    return {("ConfigMap", names.kafka_files(p.parent.name)) for p in tree.rglob(KAFKA_FILES)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CANDIDATES))
@example(("ConfigMap", "prod-kafka-files", ("data", "accessKey.pem")))  # sealed like a Secret
def test_a_changed_field_shows(
    tree: Path, tmp_path: Path, candidate: tuple[str, str, tuple[Any, ...]]
) -> None:
    kind, name, path = candidate
    items = _items()
    item = _item(items, kind, name)
    original = copy.deepcopy(item)
    holder = item
    for key in path[:-1]:
        holder = holder[key]
    sealed = kind == "Secret" or (kind, name) in _sealed_config_maps(tree)
    secret_value = sealed and path[0] in ("data", "binaryData")
    old = holder[path[-1]]
    if kind == "Secret" and path[0] == "data":  # the value in base64
        old = base64.b64decode(old).decode()
        holder[path[-1]] = base64.b64encode(f"{old}-changed".encode()).decode()
    else:
        holder[path[-1]] = _changed(old)
    result = run_line("diff", "--live", _write(tmp_path, items), tree, "--exit-code", env=BOTH_KEYS)
    assert result.exit_code == 1, result
    if secret_value:
        assert f"~ {kind} {name} (values differ, not shown)\n" in result.stdout, result
        assert old not in result.stdout and f"{old}-changed" not in result.stdout
        return
    assert f"\n~ {kind} {name}\n" in result.stdout, result
    found = differences(original, item)
    assert found and all(f"    {d.path}" in result.stdout for d in found), (found, result)


def test_a_secret_changed_live_shows_its_name_never_a_value(tree: Path, tmp_path: Path) -> None:
    items = _items()
    acr = _item(items, "Secret", "acr")
    old = base64.b64decode(acr["data"][".dockerconfigjson"]).decode()
    new = old.replace("Xq7/8+vN2=kP!acr", "Zz9-new-password")
    acr["data"][".dockerconfigjson"] = base64.b64encode(new.encode()).decode()
    result = run_line("diff", "--live", _write(tmp_path, items), tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    assert "\n~ Secret acr (values differ, not shown)\n" in result.stdout, result
    for value in ("Xq7/8+vN2=kP!acr", "Zz9-new-password", acr["data"][".dockerconfigjson"]):
        assert value not in result.stdout + result.stderr


def test_without_a_key_the_secrets_are_compared_by_their_keys(tree: Path) -> None:
    result = run_line("diff", "--live", DUMP, tree, env=NO_KEY)
    assert result.exit_code == 0, result
    assert result.stdout == KNOWN_GAPS + (
        "note: 4 Secrets and 1 ConfigMap compared by their keys only, not by value: no age key decrypts "
        "applications/shop/environments/Prod/kafka-files.yaml, "
        "applications/shop/microservices/legacy/environments/Prod/secrets.yaml, "
        "applications/shop/microservices/orders/environments/Prod/secrets.yaml, "
        "applications/shop/storage-account.yaml, registry.sops.yaml "
        "(set SOPS_AGE_KEY_FILE)\n"
    )


def test_markdown(tree: Path, tmp_path: Path) -> None:
    items = _items()
    _item(items, "Deployment", "prod-orders")["spec"]["replicas"] = 5
    live = _write(tmp_path, items)
    result = run_line("diff", "--live", live, tree, "--format", "markdown", env=BOTH_KEYS)
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        MARKER,
        "### aigonix-render diff --live",
        "",
        f"What the first sync of the tree would change in the live namespace {NAMESPACE} (application shop):",
    ]
    for line in (
        "- `~` Deployment `prod-orders`",
        "  - `spec.replicas: 5 -> 1`",
        "> **Note:** the tree adds argocd.argoproj.io/sync-options: Prune=false,Delete=false, "
        "kustomize.toolkit.fluxcd.io/prune: disabled to 3 objects (neither Argo CD nor Flux prunes what "
        "holds data); not counted",
    ):
        assert line in lines
    assert result.stdout.endswith("ServiceAccount/default\n")


@pytest.fixture
def kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubectl stand-in on PATH that records its arguments and prints the dump."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kubectl"
    script.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/argv"\ncat "{DUMP}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def test_from_cluster_runs_kubectl_get(tree: Path, kubectl: Path, tmp_path: Path) -> None:
    result = run_line("diff", "--from-cluster", NAMESPACE, "--context", "prod-aks", tree, env=BOTH_KEYS)
    assert (result.exit_code, result.stdout) == (0, KNOWN_GAPS), result
    assert (tmp_path / "argv").read_text().split() == kubectl_argv(NAMESPACE, "prod-aks")[1:]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--context", "x", "--live", str(DUMP)), "--context goes with --from-cluster"),
        (
            ("--live", str(DUMP), "--from-cluster", "ns"),
            "give --live FILE or --from-cluster NAMESPACE, not both",
        ),
        (("--live", str(DUMP), "--base", "HEAD"), "leave out -o and --base"),
    ],
)
def test_usage_errors(tree: Path, args: tuple[str, ...], message: str) -> None:
    result = run_line("diff", *args, tree)
    assert result.exit_code == 2 and message in result.stderr, result


# Every dump of tests/data/import, as its tests use it: the shop dump, or the shop dump with a
# fragment's objects in place of those of the same kind and name (the Welcome's dump replaces
# the Role too: it holds the Role with the Welcome's rules).
FRAGMENTS = ("", "welcome-dump.yaml", "runtime-v6-dump.yaml", "horizons-dump.yaml")


def _composed(fragment: str) -> list[dict[str, Any]]:
    items = _items()
    if not fragment:
        return items
    added: list[dict[str, Any]] = yaml.safe_load((TESTS / "data" / "import" / fragment).read_bytes())["items"]
    replaced = {(i["kind"], i["metadata"]["name"]) for i in added}
    return [i for i in items if (i["kind"], i["metadata"]["name"]) not in replaced] + added


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=[f or "shop-dump.yaml" for f in FRAGMENTS])
def test_every_dump_imported_is_no_difference_from_itself(fragment: str, tmp_path: Path) -> None:
    """Import, then ``diff --live`` of the same dump: nothing the first sync would change."""
    dump = _write(tmp_path, _composed(fragment))
    tree = tmp_path / "tree"
    recipients = recipient_options()
    imported = run_line("import", dump, "-o", tree, *recipients, "--accept-all-changes")
    assert imported.exit_code == 0, imported
    result = run_line("diff", "--live", dump, tree, "--exit-code", env=BOTH_KEYS)
    assert result.exit_code == 0, result
    assert result.stdout.startswith(f"no difference between the tree and the live namespace {NAMESPACE}"), (
        result
    )
    assert not [line for line in result.stdout.splitlines() if line[:2] in ("+ ", "~ ", "- ")], result


def test_a_field_changed_inside_a_list_item_is_named(tree: Path, tmp_path: Path) -> None:
    """An item of a list without names (an Ingress rule, an event horizon in a JSON file),
    edited where it stands: the field inside it, not the whole item twice."""
    items = _items()
    by_name = {(i["kind"], i["metadata"]["name"]): i for i in items}
    ingress = by_name[("Ingress", "prod-legacy")]
    ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"number": 80}
    config = by_name[("ConfigMap", "dev-orders-dolittle")]["data"]
    horizons = json.loads(config["event-horizons.json"])
    tenant = "445f8ea8-1a6f-40d7-b2fc-796dba92dc44"
    horizons[tenant][0]["stream"] = "11111111-2222-4333-8444-555555555555"
    config["event-horizons.json"] = json.dumps(horizons, indent=2)
    result = run_line("diff", "--live", _write(tmp_path, items), tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    port = "spec.rules[0].http.paths[0].backend.service.port"
    stream = f"data[event-horizons.json].{tenant}[0].stream"
    assert [line for line in result.stdout.splitlines() if line.startswith(("~ ", "    "))] == [
        "~ ConfigMap dev-orders-dolittle",
        f'    {stream}: "11111111-2222-4333-8444-555555555555" -> "6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"',
        "~ Ingress prod-legacy",
        f"    {port}.number: 80 -> (none)",
        f'    {port}.name: (none) -> "http"',
    ], result.stdout


def test_the_same_json_written_otherwise_is_a_change(tree: Path, tmp_path: Path) -> None:
    """The sync rewrites a JSON file whose bytes differ, even where its data is the same."""
    items = _items()
    data = _item(items, "ConfigMap", "prod-orders-dolittle")["data"]
    data["platform.json"] = json.dumps(json.loads(data["platform.json"]))
    result = run_line("diff", "--live", _write(tmp_path, items), tree, "--exit-code", env=BOTH_KEYS)
    assert result.exit_code == 1, result
    assert [line for line in result.stdout.splitlines() if line.startswith(("~ ", "    "))] == [
        "~ ConfigMap prod-orders-dolittle",
        "    data[platform.json]: (the same JSON, other bytes) -> (the tree's bytes)",
    ], result.stdout
