"""The GitOps delivery objects in ``_delivery/``: Argo CD Applications that work (the plugin
when Argo CD is the only delivery, retried first syncs, ``manifest-generate-paths`` naming
exactly what ``generate`` reads), every delivery object valid by its CRD, and nothing that
holds data ever pruned or deleted by Flux or Argo CD."""

from __future__ import annotations

import posixpath
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEMO_KEY, REPO, SAMPLE, Run, render_tree, run_argv
from gateway_api import OBJECT_META, strict
from jsonschema import Draft7Validator

from aigonix_render.load import load_tree

DATA = REPO / "tests" / "data"
PLUGIN = REPO / "deploy" / "argocd-cmp" / "plugin.yaml"
GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"
CRDS = {
    "argoproj.io/v1alpha1": DATA / "argocd" / "application-crd.yaml",
    "kustomize.toolkit.fluxcd.io/v1": DATA / "flux" / "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
}
TREE = "platform"  # where the tree lies in the test's git repository (gitops.argocd.treePath)

REPORTS = """apiVersion: aigonix.io/v1
kind: Application
name: reports
id: 5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d
environments:
  Dev:
    tenants:
      - {id: 445f8ea8-1a6f-40d7-b2fc-796dba92dc44, alias: default}
  Prod:
    tenants:
      - {id: 9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d, alias: default}
"""
STATS = """apiVersion: aigonix.io/v1
kind: Microservice
name: Stats
id: 6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e
head:
  image: acmecorp.azurecr.io/stats:1.0.0
runtime:
  image: dolittle/runtime:9.3.3
eventHorizons:
  - producer: {application: warehouse, microservice: Inventory}
    stream: 8c3d1e5f-2a4b-4f6c-8d9e-0a1b2c3d4e5f
    partition: 00000000-0000-0000-0000-000000000000
    scope: 7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f
"""
DOCS = REPORTS.replace("name: reports", "name: docs").replace(
    "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a"
)
SITE = """apiVersion: aigonix.io/v1
kind: Microservice
name: Site
id: 9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b
head:
  image: acmecorp.azurecr.io/site:1.0.0
"""


def repository(base: Path, argocd: dict[str, str], flux: bool) -> Path:
    """A git repository's work tree holding the sample at ``platform/`` plus two
    applications: reports (consumes warehouse's stock levels) and docs (no event horizon);
    shop and warehouse consume each other's streams."""
    repo = base / "repo"
    tree = repo / TREE
    shutil.copytree(SAMPLE, tree)
    for folder, manifest, ms, ms_manifest in (
        ("reports", REPORTS, "stats", STATS),
        ("docs", DOCS, "site", SITE),
    ):
        (tree / "applications" / folder / "microservices" / ms).mkdir(parents=True)
        (tree / "applications" / folder / "aigonix.yaml").write_text(manifest)
        (tree / "applications" / folder / "microservices" / ms / "aigonix.yaml").write_text(ms_manifest)
    customer = tree / "aigonix.yaml"
    data = yaml.safe_load(customer.read_text())
    data["gitops"]["argocd"] = {"project": "default", "namespace": "argocd", **argocd}
    if not flux:
        del data["gitops"]["flux"]
    customer.write_text(yaml.safe_dump(data, sort_keys=False))
    return repo


def applications(out: Path) -> dict[str, dict[str, Any]]:
    folder = out / "_delivery" / "argocd"
    names = yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"]
    found = [yaml.safe_load((folder / name).read_text()) for name in names]
    return {a["metadata"]["name"]: a for a in found}


def delivery_objects(out: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted((out / "_delivery").rglob("*.yaml"))]


@pytest.fixture(scope="module")
def plugin_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Argo CD is the only delivery: the Applications use the plugin by default."""
    repo = repository(tmp_path_factory.mktemp("plugin"), {"treePath": TREE}, flux=False)
    render_tree(repo / TREE, repo / "manifests", DEMO_KEY)
    return repo


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_tree(SAMPLE, tmp_path_factory.mktemp("sample") / "out", DEMO_KEY)


# Argo CD's rule (util/app/path/path.go: GetSourceRefreshPaths, AppFilesHaveChanged): each
# ';'-separated entry is resolved against spec.source.path unless it starts with '/'; a
# changed file matches an entry it equals, lies under, or matches as a glob.
def refresh_paths(application: dict[str, Any]) -> list[str]:
    source = application["spec"]["source"]["path"]
    entries = [e.strip() for e in application["metadata"]["annotations"][GENERATE_PATHS].split(";")]
    return [
        e[1:] if e.startswith("/") else posixpath.normpath(posixpath.join(source, e)) for e in entries if e
    ]


def matches(changed: str, paths: list[str]) -> bool:
    changed = "/" + changed
    for path in paths:
        assert not any(c in path for c in "*?["), path  # no globs written: Go's path.Match not needed
        root = posixpath.normpath("/" + path)
        folder = posixpath.dirname(changed)
        if changed == "/" + path or root in ("/", folder) or (folder + "/").startswith(root + "/"):
            return True
    return False


def regenerated(apps: dict[str, dict[str, Any]], changed: str) -> set[str]:
    """The Applications whose manifests Argo CD regenerates for a commit changing ``changed``."""
    return {name for name, app in apps.items() if matches(changed, refresh_paths(app))}


def of(*applications: str) -> set[str]:
    """Every Argo CD Application of these applications (environments and shared, per cluster)."""
    return {f"{a}-{suffix}" for a in applications for suffix in ("dev", "prod", "shared-dev", "shared-prod")}


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        # docs ties to nobody: only its own Applications
        ("platform/applications/docs/microservices/site/aigonix.yaml", of("docs")),
        ("platform/applications/docs/aigonix.yaml", of("docs")),
        # reports consumes warehouse: generate for warehouse reads reports (its consumer),
        # generate for reports reads warehouse and, through it, shop (warehouse consumes shop)
        ("platform/applications/reports/microservices/stats/aigonix.yaml", of("reports", "warehouse")),
        (
            "platform/applications/warehouse/microservices/inventory/aigonix.yaml",
            of("warehouse", "shop", "reports"),
        ),
        (
            "platform/applications/shop/microservices/web/environments/Dev/secrets.yaml",
            of("shop", "warehouse", "reports"),
        ),
        # what every generate reads
        ("platform/aigonix.yaml", of("docs", "reports", "shop", "warehouse")),
        ("platform/registry.sops.yaml", of("docs", "reports", "shop", "warehouse")),
        # nothing generate reads: the rendered output, files beside the tree
        ("manifests/shop/prod/deployment-prod-web.yaml", set()),
        ("platform/README.md", set()),
        ("platform/applications/docsite/aigonix.yaml", set()),
    ],
)
def test_a_commit_regenerates_exactly_the_applications_it_touches(
    plugin_repo: Path, changed: str, expected: set[str]
) -> None:
    assert regenerated(applications(plugin_repo / "manifests"), changed) == expected


def test_generate_paths_name_what_generate_reads(plugin_repo: Path) -> None:
    """The application folders each annotation names are those ``generate``'s loading reads."""
    apps = applications(plugin_repo / "manifests")
    for name, app in apps.items():
        target = app["spec"]["source"]["plugin"]["env"][0]["value"]
        tree, _ = load_tree(plugin_repo / TREE, application=target)
        read = {f"{TREE}/{a.folder}" for a in tree.applications} | {
            f"{TREE}/aigonix.yaml",
            f"{TREE}/registry.sops.yaml",
        }
        assert set(refresh_paths(app)) == read, name


def test_argocd_alone_uses_the_plugin_with_the_application_and_environment(plugin_repo: Path) -> None:
    plugin = yaml.safe_load(PLUGIN.read_text())
    name = f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
    apps = applications(plugin_repo / "manifests")
    assert apps["shop-prod"]["spec"]["source"] == {
        "path": TREE,
        "plugin": {
            "env": [{"name": "AIGONIX_APP", "value": "shop"}, {"name": "AIGONIX_ENV", "value": "Prod"}],
            "name": name,
        },
        "repoURL": "https://git.example/acme/platform.git",
        "targetRevision": "main",
    }
    assert apps["warehouse-shared-dev"]["spec"]["source"]["plugin"]["env"] == [
        {"name": "AIGONIX_APP", "value": "warehouse"},
        {"name": "AIGONIX_ENV", "value": "_shared"},
    ]


def plugin_generate(cwd: Path, env: dict[str, str]) -> Run:
    """plugin.yaml's generate command as the repo-server sidecar runs it: in the source path,
    with the Application's plugin env as ``ARGOCD_ENV_<name>``."""
    command = yaml.safe_load(PLUGIN.read_text())["spec"]["generate"]["command"]
    scripts = str(Path(sys.executable).parent)
    return run_argv(command, cwd, {"PATH": f"{scripts}:/usr/bin:/bin", "HOME": str(cwd), **env})


@pytest.mark.parametrize("name", ["shop-prod", "shop-shared-prod", "reports-dev", "docs-shared-dev"])
def test_the_plugin_renders_what_each_application_names(plugin_repo: Path, name: str) -> None:
    source = applications(plugin_repo / "manifests")[name]["spec"]["source"]
    env = {f"ARGOCD_ENV_{e['name']}": e["value"] for e in source["plugin"]["env"]}
    result = plugin_generate(plugin_repo / source["path"], {**env, "SOPS_AGE_KEY_FILE": str(DEMO_KEY)})
    assert result.exit_code == 0, result
    kinds = {d["kind"] for d in yaml.safe_load_all(result.stdout) if d}
    assert ("Namespace" in kinds) == name.split("-")[1].startswith("shared"), kinds
    assert "Deployment" in kinds or "Namespace" in kinds


def test_rendered_source_when_flux_is_configured_too(tmp_path: Path) -> None:
    repo = repository(tmp_path, {}, flux=True)
    apps = applications(render_tree(repo / TREE, tmp_path / "out", DEMO_KEY))
    assert apps["shop-prod"]["spec"]["source"]["path"] == "manifests/shop/prod"
    assert "plugin" not in apps["shop-prod"]["spec"]["source"]
    assert regenerated(apps, "manifests/shop/prod/deployment-prod-web.yaml") == {"shop-prod"}
    assert regenerated(apps, "manifests/shop/_shared/namespace.yaml") == {
        "shop-shared-dev",
        "shop-shared-prod",
    }


def test_source_chosen_in_the_tree_wins(tmp_path: Path) -> None:
    rendered = repository(tmp_path / "a", {"source": "rendered"}, flux=False)
    apps = applications(render_tree(rendered / TREE, tmp_path / "a" / "out", DEMO_KEY))
    assert "plugin" not in apps["docs-dev"]["spec"]["source"]
    plugin = repository(tmp_path / "b", {"source": "plugin"}, flux=True)
    apps = applications(render_tree(plugin / TREE, tmp_path / "b" / "out", DEMO_KEY))
    assert apps["docs-dev"]["spec"]["source"]["path"] == "."  # treePath defaults to the repository root
    assert apps["docs-dev"]["metadata"]["annotations"][GENERATE_PATHS] == (
        "aigonix.yaml;registry.sops.yaml;applications/docs"
    )


@pytest.mark.parametrize("tree", ["plugin", "sample"])
def test_first_syncs_retry_until_the_shared_application_made_the_namespace(
    tree: str, plugin_repo: Path, sample_out: Path
) -> None:
    apps = applications(plugin_repo / "manifests" if tree == "plugin" else sample_out)
    for name, app in apps.items():
        policy = app["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}
        assert policy["retry"] == {
            "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
            "limit": 10,
        }
        if "-shared-" in name:
            assert "syncOptions" not in policy  # it holds the Namespace itself
            assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"
        else:
            assert policy["syncOptions"] == ["CreateNamespace=false"]


@cache
def crd_validator(api_version: str, kind: str) -> Draft7Validator:
    crd = yaml.safe_load(CRDS[api_version].read_text())
    assert crd["spec"]["names"]["kind"] == kind
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == api_version.split("/")[1]]
    schema = strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = OBJECT_META
    return Draft7Validator(schema)


@pytest.mark.parametrize("tree", ["plugin", "sample"])
def test_delivery_objects_pass_their_crds_strictly(tree: str, plugin_repo: Path, sample_out: Path) -> None:
    found = delivery_objects(plugin_repo / "manifests" if tree == "plugin" else sample_out)
    kinds = {(o["apiVersion"], o["kind"]) for o in found if o["kind"] != "Kustomization" or "spec" in o}
    assert ("argoproj.io/v1alpha1", "Application") in kinds
    for obj in found:
        if obj["apiVersion"] == "kustomize.config.k8s.io/v1beta1":
            continue  # a folder's kustomization.yaml
        crd_validator(obj["apiVersion"], obj["kind"]).validate(obj)


def test_nothing_that_holds_data_is_pruned_or_deleted(sample_out: Path) -> None:
    """Every Namespace and event-store StatefulSet: neither Flux nor Argo CD prunes it when
    it leaves the output or deletes it with its Kustomization or Application, and the
    StatefulSet's volume claims outlive it."""
    found = [
        yaml.safe_load(p.read_text())
        for p in sorted(sample_out.rglob("*.yaml"))
        if "_delivery" not in p.parts
    ]
    namespaces = [o for o in found if o.get("kind") == "Namespace"]
    stores = [o for o in found if o.get("kind") == "StatefulSet"]
    assert len(namespaces) == 2
    assert len(stores) == 4
    for obj in [*namespaces, *stores]:
        annotations = obj["metadata"]["annotations"]
        assert annotations["kustomize.toolkit.fluxcd.io/prune"] == "disabled", obj["metadata"]["name"]
        assert annotations["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    for store in stores:
        assert store["spec"]["persistentVolumeClaimRetentionPolicy"] == {
            "whenDeleted": "Retain",
            "whenScaled": "Retain",
        }
        assert store["spec"]["template"]["metadata"]["annotations"].keys() <= {
            "dolittle.io/application-id",
            "dolittle.io/tenant-id",
            "dolittle.io/microservice-id",
            "dolittle.io/microservice-kind",
        }  # the pod template is unchanged: no restart of the adopted event store
