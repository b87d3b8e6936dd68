"""Issue 20: each Runtime's backwards compatibility and endpoints, stated in the tree
(``runtime.backwardsCompatibility``, ``runtime.managementEndpoint``) or left to the default of
its image's version; ``import`` states them where the platform's files differ from that default.

The platform's files: ``appsettings.json`` with the event store's version under
``dolittle.runtime.eventstore.backwardscompatibility.version`` (platform-api v4.13.0
pkg/dolittle/k8s/configmaps.go: AppsettingsV8_0_0, V6 or V7), ``endpoints.json`` with or without
``management`` (configmaps.go: MicroserviceEndpointsV6_1_0; dolittle/Runtime
Source/Services/EndpointVisibility.cs). ``tests/data/import/runtime-v6-dump.yaml`` is the shop
dump's Dev catalog ConfigMap as it is where Runtime 8.0.0 reads V6's format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TESTS, run_line
from test_import import BOTH_KEYS, as_dump, dump_items, rendered_objects, run_import

from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.runtime_files import (
    Owner,
    RuntimeFiles,
    read_runtime_files,
    runtime_settings,
)

LEDGER = "applications/shop/microservices/ledger/aigonix.yaml"
V6_DUMP = TESTS / "data" / "import" / "runtime-v6-dump.yaml"
SHOP = "applications/shop"

LOGGING = """  "Logging": {
    "IncludeScopes": false,
    "LogLevel": {
      "Default": "Debug",
      "System": "Information",
      "Microsoft": "Information"
    },
    "Console": {
      "IncludeScopes": true,
      "TimestampFormat": "[yyyy-MM-dd HH:mm:ss] "
    }
  }"""
NO_COMPATIBILITY = "{\n" + LOGGING + "\n}"


def compatibility(version: str) -> str:
    return (
        "{\n" + LOGGING + ',\n  "dolittle": {\n    "runtime": {\n      "eventstore": {\n'
        '        "backwardscompatibility": {\n          "version": "' + version + '"\n'
        "        }\n      }\n    }\n  }\n}"
    )


PUBLIC_PRIVATE = '{\n  "public": {\n    "port": 50052\n  },\n  "private": {\n    "port": 50053\n  }'
WITHOUT_MANAGEMENT = PUBLIC_PRIVATE + "\n}"
WITH_MANAGEMENT = PUBLIC_PRIVATE + ',\n  "management": {\n    "port": 51052\n  }\n}'


def set_ledger_runtime(tree: Path, runtime: str) -> None:
    """The Ledger's ``runtime:`` block (its image and public streams) replaced by ``runtime``."""
    path = tree / LEDGER
    text = path.read_text()
    old = "runtime:\n  image: dolittle/runtime:9.3.3\n  publicStreams:\n    - aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\n"
    assert old in text
    path.write_text(
        text.replace(old, runtime + "  publicStreams:\n    - aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\n")
    )


def dolittle_data(out: Path, env: str, ms: str) -> dict[str, str]:
    document = yaml.safe_load((out / "shop" / env / f"configmap-{env}-{ms}-dolittle.yaml").read_text())
    data: dict[str, str] = document["data"]
    return data


# --- the schema and validation -----------------------------------------------------------


def test_the_settings_and_an_override_of_them_validate(base_tree: Path) -> None:
    """``none`` on a Runtime that needs a version is kept (the platform wrote such files),
    with a warning; on a Runtime that needs none it is no warning."""
    set_ledger_runtime(
        base_tree,
        "runtime:\n  image: dolittle/runtime:8.2.0\n  backwardsCompatibility: V6\n  managementEndpoint: false\n",
    )
    with (base_tree / LEDGER).open("a") as file:
        file.write("environments:\n  Prod:\n    runtime:\n      backwardsCompatibility: none\n")
    result = run_line("validate", base_tree)
    assert (result.exit_code, result.stdout) == (
        0,
        f"{LEDGER}:21:31: warning: in Prod the Runtime 'dolittle/runtime:8.2.0' refuses to start without a"
        " backwards compatibility version (EventSourceBackwardsCompatibilityMustBeConfigured): give the format"
        " its event store is in, V6 or V7\n",
    ), result
    path = base_tree / LEDGER
    path.write_text(path.read_text().replace("dolittle/runtime:8.2.0", "dolittle/runtime:9.3.0"))
    result = run_line("validate", base_tree)
    assert (result.exit_code, result.stdout) == (0, ""), result


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "  backwardsCompatibility: V8\n",
            "14:27: error: must be one of V6, V7, none, not 'V8'",
        ),
        (
            "  backwardsCompatibility: v6\n",
            "14:27: error: must be one of V6, V7, none, not 'v6'",
        ),
        (
            "  backwardsCompatibility: null\n",
            "14:27: error: must be one of V6, V7, none, not None",
        ),
        ('  managementEndpoint: "true"\n', "14:23: error: must be true or false"),
    ],
)
def test_the_schema_refuses_other_values(base_tree: Path, line: str, message: str) -> None:
    set_ledger_runtime(base_tree, "runtime:\n  image: dolittle/runtime:8.2.0\n" + line)
    result = run_line("validate", base_tree)
    assert result.exit_code == 1, result
    assert [row for row in result.stdout.splitlines() if row.startswith(LEDGER)] == [f"{LEDGER}:{message}"]


def test_an_unknown_version_warns_unless_both_settings_are_stated(base_tree: Path) -> None:
    set_ledger_runtime(
        base_tree, "runtime:\n  image: dolittle/runtime:latest\n  backwardsCompatibility: V7\n"
    )
    result = run_line("validate", base_tree)
    assert (result.exit_code, result.stdout) == (
        0,
        f"{LEDGER}:13:10: warning: cannot tell which Runtime version 'dolittle/runtime:latest' is, so its"
        " files are rendered as for dolittle/runtime:9.3.3; use a dolittle/runtime:<version> tag, 5.0.0 or"
        " later and before 10.0.0, or state runtime.backwardsCompatibility and runtime.managementEndpoint\n",
    ), result
    set_ledger_runtime_setting(base_tree, "  managementEndpoint: true\n")
    result = run_line("validate", base_tree)
    assert (result.exit_code, result.stdout) == (0, ""), result


def set_ledger_runtime_setting(tree: Path, line: str) -> None:
    path = tree / LEDGER
    text = path.read_text()
    assert "  publicStreams:\n" in text
    path.write_text(text.replace("  publicStreams:\n", line + "  publicStreams:\n", 1))


# --- the render ---------------------------------------------------------------------------


def test_stated_settings_and_their_override_render_these_files(
    base_tree: Path, keyed: Path, tmp_path: Path
) -> None:
    """Runtime 8.2.0 would get V7 and the management endpoint; the tree says V6 and none
    without it, and Prod no backwards compatibility. The Audit (9.3.3) keeps its defaults."""
    set_ledger_runtime(
        base_tree,
        "runtime:\n  image: dolittle/runtime:8.2.0\n  backwardsCompatibility: V6\n  managementEndpoint: false\n",
    )
    with (base_tree / LEDGER).open("a") as file:
        file.write("environments:\n  Prod:\n    runtime:\n      backwardsCompatibility: none\n")
    result = run_line("render", base_tree, "-o", tmp_path / "out")
    assert result.exit_code == 0, result
    dev, prod = (dolittle_data(tmp_path / "out", env, "ledger") for env in ("dev", "prod"))
    assert (dev["appsettings.json"], dev["endpoints.json"]) == (compatibility("V6"), WITHOUT_MANAGEMENT)
    assert (prod["appsettings.json"], prod["endpoints.json"]) == (NO_COMPATIBILITY, WITHOUT_MANAGEMENT)
    audit = dolittle_data(tmp_path / "out", "prod", "audit")
    assert (audit["appsettings.json"], audit["endpoints.json"]) == (NO_COMPATIBILITY, WITH_MANAGEMENT)


@pytest.mark.parametrize(
    ("runtime", "appsettings", "endpoints"),
    [
        # the version's defaults: a v4.13.0-made 6.1.0, the platform's 8.0.0, 9.3.3
        ("  image: dolittle/runtime:6.1.0\n", NO_COMPATIBILITY, WITHOUT_MANAGEMENT),
        ("  image: dolittle/runtime:8.0.0\n", compatibility("V7"), WITH_MANAGEMENT),
        ("  image: dolittle/runtime:9.3.3\n", NO_COMPATIBILITY, WITH_MANAGEMENT),
        # a v2.7.0-made 6.1.0; V7 stated on a Runtime that does not need it
        ("  image: dolittle/runtime:6.1.0\n  managementEndpoint: true\n", NO_COMPATIBILITY, WITH_MANAGEMENT),
        (
            "  image: dolittle/runtime:9.3.3\n  backwardsCompatibility: V7\n",
            compatibility("V7"),
            WITH_MANAGEMENT,
        ),
        # an image whose version cannot be told, both stated
        (
            "  image: dolittle/runtime:latest\n  backwardsCompatibility: V6\n  managementEndpoint: false\n",
            compatibility("V6"),
            WITHOUT_MANAGEMENT,
        ),
    ],
)
def test_each_runtime_gets_its_files(
    base_tree: Path, keyed: Path, tmp_path: Path, runtime: str, appsettings: str, endpoints: str
) -> None:
    set_ledger_runtime(base_tree, "runtime:\n" + runtime)
    result = run_line("render", base_tree, "-o", tmp_path / "out")
    assert result.exit_code == 0, result
    data = dolittle_data(tmp_path / "out", "prod", "ledger")
    assert (data["appsettings.json"], data["endpoints.json"]) == (appsettings, endpoints)


# --- import -------------------------------------------------------------------------------


def v6_items() -> list[dict[str, Any]]:
    """The shop dump with its dev-catalog-dolittle replaced by the one whose Runtime reads V6."""
    [v6] = yaml.safe_load(V6_DUMP.read_bytes())["items"]
    items = [
        i for i in dump_items() if (i["kind"], i["metadata"]["name"]) != ("ConfigMap", "dev-catalog-dolittle")
    ]
    assert len(items) == len(dump_items()) - 1
    return [*items, v6]


@pytest.fixture(scope="module")
def v6_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The V6 dump (as a file, for diff --live), its import and the import's render."""
    folder = tmp_path_factory.mktemp("runtime-v6")
    dump = folder / "dump.yaml"
    dump.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": v6_items()}))
    result = run_import(folder / "tree", as_dump(v6_items()))
    assert result.written, result.report_text()
    assert "dev-catalog-dolittle" not in result.report_text()
    rendering = run_line("render", folder / "tree", "-o", folder / "out", env=BOTH_KEYS)
    assert rendering.exit_code == 0, rendering
    return dump, folder / "tree", folder / "out"


def test_the_import_of_a_v6_runtime_states_v6_where_it_runs(v6_import: tuple[Path, Path, Path]) -> None:
    _, tree, _ = v6_import
    catalog = yaml.safe_load((tree / SHOP / "microservices/catalog/aigonix.yaml").read_text())
    assert catalog["runtime"] == {
        "image": "dolittle/runtime:8.0.0",
        "publicStreams": ["6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"],
    }
    assert catalog["environments"]["Dev"]["runtime"] == {"backwardsCompatibility": "V6"}
    assert "runtime" not in catalog["environments"].get("Prod", {})


def test_the_render_of_the_v6_import_is_the_platforms_configmap(v6_import: tuple[Path, Path, Path]) -> None:
    _, _, out = v6_import
    [v6] = yaml.safe_load(V6_DUMP.read_bytes())["items"]
    rendered = rendered_objects(out)["ConfigMap/dev-catalog-dolittle"]
    assert rendered["data"] == v6["data"]
    assert rendered["data"]["appsettings.json"] == compatibility("V6")


def test_diff_live_of_the_v6_dump_shows_nothing_for_its_configmap(v6_import: tuple[Path, Path, Path]) -> None:
    dump, tree, _ = v6_import
    result = run_line("diff", "--live", dump, tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    assert "application-0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c (application shop)" in result.stdout, result
    assert "dolittle" not in result.stdout, result


def test_the_shop_import_states_only_the_legacy_runtimes_endpoints(tmp_path: Path) -> None:
    """Runtime 6.1.0 made by v2.7.0 lists management in Prod (the platform special-cased 6.1.0
    from v3.2.0 on); every other Runtime's files are its version's."""
    result = run_import(tmp_path / "tree")
    assert result.written, result.report_text()
    runtimes = {}
    for path in sorted((tmp_path / "tree" / SHOP / "microservices").glob("*/aigonix.yaml")):
        document = yaml.safe_load(path.read_text())
        for env, override in sorted((document.get("environments") or {}).items()):
            runtimes[(path.parent.name, env)] = override.get("runtime", {})
        runtimes[(path.parent.name, "")] = document.get("runtime", {})
    stated = {
        where: {k: v for k, v in runtime.items() if k in ("backwardsCompatibility", "managementEndpoint")}
        for where, runtime in runtimes.items()
    }
    assert {where: found for where, found in stated.items() if found} == {
        ("legacy", "Prod"): {"managementEndpoint": True}
    }


# --- what the files say against the version's default --------------------------------------


@pytest.mark.parametrize(
    ("image", "found", "settings"),
    [
        ("dolittle/runtime:8.0.0", ("V7", True), {}),
        ("dolittle/runtime:8.0.0", ("V6", True), {"backwardsCompatibility": "V6"}),
        # the platform wrote V7 for exactly 8.0.0: a later 8.x it gave none (an env variable may set it)
        ("dolittle/runtime:8.0.1", ("none", True), {"backwardsCompatibility": "none"}),
        ("dolittle/runtime:9.3.3", ("none", True), {}),
        ("dolittle/runtime:6.1.0", ("none", True), {"managementEndpoint": True}),
        ("dolittle/runtime:7.1.0", ("none", False), {"managementEndpoint": False}),
        # files the platform never wrote: the version's default, and the self-check reports them
        ("dolittle/runtime:8.0.0", (None, None), {}),
        # no version to take a default from: both, as the files say
        (
            "dolittle/runtime:latest",
            ("none", True),
            {"backwardsCompatibility": "none", "managementEndpoint": True},
        ),
    ],
)
def test_the_tree_states_what_differs_from_the_versions_default(
    image: str, found: tuple[str | None, bool | None], settings: dict[str, Any]
) -> None:
    files = RuntimeFiles(backwards_compatibility=found[0], management=found[1])
    assert runtime_settings(files, image) == settings


def _files(appsettings: str, endpoints: str) -> RuntimeFiles:
    data = {"appsettings.json": appsettings, "endpoints.json": endpoints}
    body = {"metadata": {"name": "dev-catalog-dolittle"}, "data": data}
    owner = Owner("shop", "Dev", "catalog", "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b", ())
    return read_runtime_files(KubeObject("ConfigMap", "dev-catalog-dolittle", None, body, "dump"), owner)


@pytest.mark.parametrize(
    ("appsettings", "endpoints", "found"),
    [
        (compatibility("V6"), WITH_MANAGEMENT, ("V6", True)),
        (compatibility("V7"), WITHOUT_MANAGEMENT, ("V7", False)),
        (NO_COMPATIBILITY, WITH_MANAGEMENT, ("none", True)),
        # not the platform's: another version, other keys' case, another port, not JSON
        (compatibility("V8"), WITH_MANAGEMENT.replace("51052", "51053"), (None, None)),
        (compatibility("V6").replace('"dolittle"', '"Dolittle"'), "{}", (None, None)),
        (compatibility("V6").replace('"eventstore"', '"EventStore"'), "not json", (None, None)),
    ],
)
def test_the_files_say_the_version_and_the_endpoints_only_in_the_platforms_shape(
    appsettings: str, endpoints: str, found: tuple[str | None, bool | None]
) -> None:
    files = _files(appsettings, endpoints)
    assert (files.backwards_compatibility, files.management) == found
