"""An incremental render: only the output folders a change reaches are rendered again, and
OUT ends byte for byte as a cold render of the same tree (Secrets compared decrypted)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import SAMPLE, run_line, sops_decrypt
from git_repo import git, make_hermetic

import aigonix_render.write.inputs as inputs_module
from aigonix_render.commands.valid import valid_model
from aigonix_render.foundation import MANIFEST, names
from aigonix_render.render import Templates, environment_folder, render_model

SHOP = "applications/shop"
WAREHOUSE = "applications/warehouse"
WEB = f"{SHOP}/microservices/web/aigonix.yaml"
ORDERS = f"{SHOP}/microservices/orders/aigonix.yaml"
SECRETS = f"{SHOP}/microservices/billing/environments/Dev/secrets.yaml"


def _edit(tree: Path, relative: str, old: str, new: str) -> None:
    path = tree / relative
    text = path.read_text()
    assert old in text, relative
    path.write_text(text.replace(old, new, 1))


def _env_var(tree: Path) -> None:
    _edit(tree, WEB, "LOG_LEVEL: info", "LOG_LEVEL: debug")


def _config_file(tree: Path) -> None:
    path = tree / f"{SHOP}/microservices/billing/files/appsettings.json"
    path.write_text(path.read_text().replace("{", '{"Incremental": true, ', 1))


def _secret(tree: Path) -> None:
    _edit(tree, f"{SHOP}/microservices/billing/environments/Prod/secrets.yaml", "", "")
    shutil.copy(tree / f"{SHOP}/microservices/billing/environments/Prod/secrets.yaml", tree / SECRETS)


def _new_microservice(tree: Path) -> None:
    target = tree / f"{SHOP}/microservices/web2"
    shutil.copytree(tree / f"{SHOP}/microservices/web", target)
    _edit(tree, f"{SHOP}/microservices/web2/aigonix.yaml", "name: Web", "name: Web2")
    _edit(
        tree,
        f"{SHOP}/microservices/web2/aigonix.yaml",
        "5792df60-c9e5-4181-aa72-06e584f9b4f0",
        str(uuid.uuid4()),
    )
    _edit(tree, f"{SHOP}/microservices/web2/aigonix.yaml", "path: /\n", "path: /two\n")


def _removed_application(tree: Path) -> None:
    shutil.rmtree(tree / "applications/depot")


def _event_horizon(tree: Path) -> None:
    _edit(tree, ORDERS, "partition: 00000000-0000-0000-0000-000000000000", f"partition: {uuid.uuid4()}")


def _customer(tree: Path) -> None:
    _edit(tree, "aigonix.yaml", "clusterIssuer: letsencrypt-production", "clusterIssuer: letsencrypt-staging")


def _application_copy(tree: Path, name: str = "depot", microservice: str = "Stock") -> None:
    """A third application (``depot``, a copy of warehouse with its own names and ids)."""
    shutil.copytree(tree / "applications/warehouse", tree / f"applications/{name}")
    for manifest in (tree / f"applications/{name}").rglob("aigonix.yaml"):
        text = (
            manifest.read_text()
            .replace("name: warehouse", f"name: {name}")
            .replace("name: Inventory", f"name: {microservice}")
        )
        for line in text.splitlines():
            if line.startswith("id: "):
                text = text.replace(line, f"id: {uuid.uuid4()}")
        manifest.write_text(text)


CHANGES: dict[str, Callable[[Path], None]] = {
    "env var": _env_var,
    "config file": _config_file,
    "secret": _secret,
    "new microservice": _new_microservice,
    "removed application": _removed_application,
    "event horizon": _event_horizon,
    "customer file": _customer,
}


def _render(tree: Path, out: Path) -> str:
    result = run_line("render", tree, "-o", out)
    assert result.exit_code == 0, result
    return result.stderr


def _contents(out: Path, key: Path) -> dict[str, str]:
    """Every file of OUT; a sealed Secret decrypted; the marker without the Secrets' hashes
    (sealing is randomised: two seals of one Secret differ in bytes)."""
    found: dict[str, str] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        relative = path.relative_to(out).as_posix()
        text = path.read_text()
        if "\nsops:\n" in text:
            text = sops_decrypt(path, key)
        elif relative == ".aigonix-render":
            text = "\n".join(line for line in text.splitlines() if "/secret-" not in line)
        found[relative] = text
    return found


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_render_equals_a_cold_render(
    change: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    _application_copy(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    CHANGES[change](sample_tree)
    _render(sample_tree, out)
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)


def test_a_new_code_digest_renders_everything_again(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _render(sample_tree, out)
    (out / "shop/dev/kustomization.yaml").unlink()
    _env_var(sample_tree)
    real = inputs_module.tool_digest
    monkeypatch.setattr(inputs_module, "tool_digest", lambda settings: real(settings + "/next"))
    _render(sample_tree, out)
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)


def test_only_the_changed_folders_are_rendered(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof that the unchanged folders are not rendered: their renderer is never called."""
    import aigonix_render.render as render_module

    out = tmp_path / "out"
    _render(sample_tree, out)
    _config_file(sample_tree)
    rendered: set[str] = set()
    real = render_module.microservice_objects  # type: ignore[attr-defined]

    def spy(folder: Any, app_env: Any, microservice: Any, here: Any) -> None:
        rendered.add(f"{app_env.application.name}/{app_env.environment.name}")
        real(folder, app_env, microservice, here)

    monkeypatch.setattr(render_module, "microservice_objects", spy)
    _render(sample_tree, out)
    assert sorted(rendered) == ["shop/Dev", "shop/Prod"]


def test_every_runtime_keeps_its_databases_on_its_own_server() -> None:
    """What lets the check skip the kept folders: a Runtime's databases, every tenant's,
    lie on its own application environment's server, so no two output folders can name
    one database. A Runtime that could name another server would need the kept folders'
    configurations read again (the rule ``check.shared_databases``)."""
    valid = valid_model(SAMPLE, strict=False)
    servers: dict[str, set[str]] = {}
    for file in render_model(valid.model, Templates()).files:
        config = yaml.safe_load(file.text)
        if config["kind"] == "ConfigMap" and config["metadata"]["name"].endswith(
            names.DOLITTLE_CONFIG_SUFFIX
        ):
            for tenant in json.loads(config["data"]["resources.json"]).values():
                hosts = {urlsplit(tenant["readModels"]["host"]).hostname or ""}
                hosts |= {
                    s for kind in ("eventStore", "projections", "embeddings") for s in tenant[kind]["servers"]
                }
                servers.setdefault(file.path.rpartition("/")[0], set()).update(hosts)
    expected = {
        environment_folder(app_env.application.name, app_env.environment.name): {
            names.mongo_host(app_env.environment.name, app_env.application.id)
        }
        for app_env in valid.model.environments
        if any(ms.runtime for ms in app_env.microservices)
    }
    assert servers == expected
    assert len(set().union(*expected.values())) == len(expected) > 1


class _Reads:
    """Every file the load reads (YAML and config files), and the ``only`` and
    ``validated_before`` of every load of the tree (``only`` None: the whole tree), while
    spied on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import aigonix_render.load.folders as folders_module
        import aigonix_render.load.place as place_module
        import aigonix_render.validate.schema as schema_module

        self.read: list[str] = []
        self.unparsed: list[str] = []
        self.loads: list[tuple[frozenset[str] | None, frozenset[str]]] = []
        real_unparsed = folders_module.read_unparsed  # type: ignore[attr-defined]
        real_document = place_module.read_document  # type: ignore[attr-defined]
        real_file = folders_module.read_file  # type: ignore[attr-defined]
        real_load = schema_module.load_tree  # type: ignore[attr-defined]

        def read_document(root: Path, relative: str, *args: Any) -> Any:
            self.read.append(relative)
            return real_document(root, relative, *args)

        def read_file(path: Path, name: str, limit: int) -> Any:
            self.read.append(name)
            return real_file(path, name, limit)

        def read_unparsed(place: Any, relative: str) -> Any:
            self.unparsed.append(relative)
            return real_unparsed(place, relative)

        def load_tree(*args: Any, **kwargs: Any) -> Any:
            self.loads.append((kwargs.get("only"), kwargs.get("validated_before", frozenset())))
            return real_load(*args, **kwargs)

        monkeypatch.setattr(place_module, "read_document", read_document)
        monkeypatch.setattr(folders_module, "read_file", read_file)
        monkeypatch.setattr(folders_module, "read_unparsed", read_unparsed)
        monkeypatch.setattr(schema_module, "load_tree", load_tree)


DEPOT = "applications/depot"
DEPOT_FILE = f"{DEPOT}/microservices/inventory/files/stock.json"
INVENTORY = "applications/warehouse/microservices/inventory/aigonix.yaml"
INVENTORY_FILES = "applications/warehouse/microservices/inventory/files"


def _untied(tree: Path, application: str) -> None:
    """A copy of warehouse without its subscription to shop."""
    manifest = tree / application / "microservices/inventory/aigonix.yaml"
    text = manifest.read_text()
    start, end = text.index("eventHorizons:\n"), text.index("\nenv:\n")
    manifest.write_text(text[:start] + text[end + 1 :])


def _depot_with_a_file(tree: Path) -> None:
    """depot (a copy of warehouse, tied to no other application: its subscription to shop
    left out) with a config file of its own."""
    _application_copy(tree)
    _untied(tree, DEPOT)
    (tree / DEPOT_FILE).parent.mkdir()
    (tree / DEPOT_FILE).write_text('{"Stock": true}\n')


def test_unchanged_applications_a_change_does_not_reach_are_not_loaded(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """Only depot's config file changes: shop and warehouse, whose inputs are those of the
    last render and which no event horizon ties to depot, are not loaded at all (not a
    file of theirs read); depot is loaded in full; OUT ends as a cold render."""
    _depot_with_a_file(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    (sample_tree / DEPOT_FILE).write_text('{"Stock": false}\n')
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        _render(sample_tree, out)
    assert reads.loads == [(frozenset({DEPOT}), frozenset({SHOP, WAREHOUSE}))]
    assert DEPOT_FILE in reads.read
    assert [p for p in [*reads.read, *reads.unparsed] if p.startswith((f"{SHOP}/", f"{WAREHOUSE}/"))] == []
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)


def test_an_application_tied_to_a_change_is_loaded_as_validated_before(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """A new config file of warehouse: shop, unchanged but tied to warehouse by event
    horizons both ways, is loaded as validated before (its files looked at, its secrets
    files read but not parsed) for warehouse's model; depot is not loaded; OUT ends as a
    cold render."""
    _depot_with_a_file(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    (sample_tree / INVENTORY_FILES).mkdir()
    (sample_tree / INVENTORY_FILES / "new.json").write_text("{}\n")
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        _render(sample_tree, out)
    assert reads.loads == [(frozenset({WAREHOUSE, SHOP}), frozenset({SHOP, DEPOT}))]
    assert f"{INVENTORY_FILES}/new.json" in reads.read
    assert [p for p in reads.read if p.endswith("secrets.yaml")] == []  # shop's: not parsed,
    assert sorted(reads.unparsed) == sorted(  # but read and checked
        f"{SHOP}/microservices/billing/environments/{env}/secrets.yaml" for env in ("Dev", "Prod")
    )
    assert f"{SHOP}/microservices/billing/files/appsettings.json" in reads.read  # looked at
    assert [p for p in [*reads.read, *reads.unparsed] if p.startswith(f"{DEPOT}/")] == []
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)


def _config_file_ignored(tree: Path) -> Callable[[], None]:
    """An untracked config file of warehouse that git then ignores (a local file CI would
    not have)."""
    (tree / INVENTORY_FILES).mkdir()
    (tree / INVENTORY_FILES / "local.json").write_text('{"local": true}\n')

    def after() -> None:
        (tree / ".gitignore").write_text("local.json\n")

    return after


def _secrets_file_ignored(tree: Path) -> Callable[[], None]:
    """A secrets file of shop that git then no longer tracks, and ignores."""

    def after() -> None:
        git(tree, "rm", "--cached", "--quiet", SECRETS)
        (tree / ".gitignore").write_text("secrets.yaml\n")

    return after


def _leftover(tree: Path) -> Callable[[], None]:
    """An editor's leftover then beside warehouse's config file (a warning; strict render)."""
    (tree / INVENTORY_FILES).mkdir()
    (tree / INVENTORY_FILES / "settings.json").write_text("{}\n")

    def after() -> None:
        (tree / INVENTORY_FILES / "settings.json~").write_text("{}\n")

    return after


def _symlink_leaving(tree: Path) -> Callable[[], None]:
    """A config file of warehouse symlinked into a folder that then becomes a symlink out of
    the repository: the same link text, the same bytes, another place."""
    common = tree / "common"
    common.mkdir()
    (common / "cfg.json").write_text("{}\n")
    (tree / INVENTORY_FILES).mkdir()
    (tree / INVENTORY_FILES / "cfg.json").symlink_to("../../../../../common/cfg.json")

    def after() -> None:
        outside = tree.parent / "outside"
        common.rename(outside)
        common.symlink_to(outside)

    return after


LOADER_STATE: dict[str, Callable[[Path], Callable[[], None]]] = {
    "a config file git then ignores": _config_file_ignored,
    "a secrets file git then ignores": _secrets_file_ignored,
    "an editor's leftover, strict": _leftover,
    "a symlink that then leads out of the repository": _symlink_leaving,
}


@pytest.mark.parametrize("case", sorted(LOADER_STATE))
def test_what_the_load_finds_in_an_unchanged_application_is_found_again(
    case: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What git ignores and which files are left out are not in an application's input
    digest: while another application changes (depot's config file), an unchanged one is
    not loaded, but its inputs are asked the same (``TreeInputs.refused``), and as one is
    refused the whole tree is loaded, so the incremental render refuses exactly as a cold
    render of the same tree does. Where a symlink ends up is in the digest
    (``write.inputs``): that application (warehouse) is loaded, with shop, tied to it, and
    its load finds the symlink."""
    make_hermetic(monkeypatch)
    git(sample_tree, "init", "--quiet")
    _depot_with_a_file(sample_tree)
    git(sample_tree, "add", "--all")
    then = LOADER_STATE[case](sample_tree)
    out = tmp_path / "out"
    strict = ["--strict"] if "strict" in case else []
    assert run_line("render", sample_tree, "-o", out, *strict).exit_code == 0
    then()
    (sample_tree / DEPOT_FILE).write_text('{"Stock": false}\n')
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        incremental = run_line("render", sample_tree, "-o", out, *strict)
    moved = case == "a symlink that then leads out of the repository"
    unchanged = frozenset({SHOP} if moved else {SHOP, WAREHOUSE})
    loaded = frozenset({DEPOT, WAREHOUSE, SHOP} if moved else {DEPOT})
    assert reads.loads == [(loaded, unchanged), (None, frozenset())]  # the part, then the whole
    cold = run_line("render", sample_tree, "-o", tmp_path / "cold", *strict)
    assert cold.exit_code == 1, cold
    assert (incremental.exit_code, incremental.stderr) == (cold.exit_code, cold.stderr)


def _no_probes(tree: Path) -> None:
    """warehouse's Inventory without probes: a warning of its own rules."""
    _edit(
        tree,
        INVENTORY,
        "  probes:\n    liveness:\n      path: /healthz\n    readiness:\n      path: /ready\n",
        "",
    )


def test_the_warnings_of_an_unchanged_applications_own_rules_are_not_repeated(
    sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """warehouse's Inventory has no probes (a warning of its own rules): the render that
    changes only depot does not load warehouse and does not repeat it; a cold render and
    ``validate`` do."""
    _depot_with_a_file(sample_tree)
    _no_probes(sample_tree)
    out = tmp_path / "out"
    first = _render(sample_tree, out)
    assert [line for line in first.splitlines() if line.startswith(INVENTORY) and "warning" in line]
    (sample_tree / DEPOT_FILE).write_text('{"Stock": false}\n')
    incremental = _render(sample_tree, out)
    cold = _render(sample_tree, tmp_path / "cold")
    warned = [line for line in cold.splitlines() if line.startswith(INVENTORY) and "warning" in line]
    assert warned
    assert not [line for line in incremental.splitlines() if line.startswith(INVENTORY)]
    assert warned == [
        line for line in run_line("validate", sample_tree).stdout.splitlines() if line.startswith(INVENTORY)
    ]


def _subscribe_to_depot(tree: Path) -> None:
    """orders (shop) subscribes to depot's Stock instead of warehouse's Inventory: depot,
    unchanged, gets a consumer it did not have."""
    _edit(
        tree,
        ORDERS,
        "application: warehouse\n      microservice: Inventory",
        "application: depot\n      microservice: Stock",
    )


@pytest.mark.parametrize("why", ["a new consumer", "an edited output file"])
def test_an_unchanged_application_not_kept_whole_is_read_again_in_full(
    why: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """When the part of the tree loaded does not tell all (what ties depot, unchanged, to
    the others changed: shop's new subscription; or depot's output was edited by hand), the
    tree is read again in full, and OUT ends as a cold render."""
    _depot_with_a_file(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    if why == "a new consumer":
        _subscribe_to_depot(sample_tree)
    else:
        _edit(out, "depot/dev/kustomization.yaml", "", "# edited\n")
        _env_var(sample_tree)
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        _render(sample_tree, out)
    assert reads.loads == [(frozenset({SHOP, WAREHOUSE}), frozenset({DEPOT})), (None, frozenset())]
    assert DEPOT_FILE in reads.read
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)


SHOP_ID = "3b574183-cc5a-474c-98d9-f535511c7449"
WEB_ID = "5792df60-c9e5-4181-aa72-06e584f9b4f0"


def _own_id(tree: Path, relative: str, claimed: str) -> None:
    """The manifest's own ``id`` becomes ``claimed``."""
    path = tree / relative
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(f"id: {claimed}\n" if line.startswith("id: ") else line for line in lines))


CLAIMS: dict[str, Callable[[Path], None]] = {
    "shop's application id": lambda tree: _own_id(tree, f"{DEPOT}/{MANIFEST}", SHOP_ID),
    "web's microservice id": lambda tree: _own_id(
        tree, f"{DEPOT}/microservices/inventory/{MANIFEST}", WEB_ID
    ),
    "shop's name": lambda tree: _edit(tree, f"{DEPOT}/{MANIFEST}", "name: depot", "name: shop"),
}


def _no_delivery(tree: Path) -> None:
    """The customer file without ``gitops``: no delivery, which reads every application's
    manifest, so that a change to one is still a change only that application reaches."""
    path = tree / MANIFEST
    text = path.read_text()
    path.write_text(text[: text.index("\ngitops:\n") + 1])


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_a_claim_an_unloaded_application_holds_is_refused_as_from_scratch(
    claim: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """depot, the only application a change reaches, takes what shop (not loaded) holds:
    the claims line the marker keeps of shop says so, the whole tree is loaded, and the
    render refuses with the very stderr of a render from scratch; OUT is left as it was."""
    _no_delivery(sample_tree)
    _depot_with_a_file(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    CLAIMS[claim](sample_tree)
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        incremental = run_line("render", sample_tree, "-o", out)
    assert reads.loads == [(frozenset({DEPOT}), frozenset({SHOP, WAREHOUSE})), (None, frozenset())]
    cold = run_line("render", sample_tree, "-o", tmp_path / "cold")
    assert cold.exit_code == 1 and "applications/shop/" in cold.stderr, cold
    assert (incremental.exit_code, incremental.stderr) == (cold.exit_code, cold.stderr)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("change", ["a new application", "a renamed application", "a horizon, plugin"])
def test_delivery_follows_the_applications_there_are(
    change: str, sample_tree: Path, demo_keyed: Path, tmp_path: Path
) -> None:
    """Delivery reads every application's manifest: a new application (no section names
    it) or a renamed one is delivered as a render from scratch delivers it. Argo CD's
    plugin Applications also read the microservices' event horizons (what each one's
    ``generate`` reads): depot consumes shop, and shop no longer consumes warehouse (which
    still consumes shop: the same ties), so depot's paths lose warehouse."""
    out = tmp_path / "out"
    if change == "a new application":
        _render(sample_tree, out)
        _application_copy(sample_tree)
    elif change == "a horizon, plugin":
        _edit(sample_tree, MANIFEST, "source: rendered", "source: plugin")
        _application_copy(sample_tree)
        _application_copy(sample_tree, "extra", "Spare")  # tied to none: not loaded
        _untied(sample_tree, "applications/extra")
        _render(sample_tree, out)
        text = (sample_tree / ORDERS).read_text()
        start, end = text.index("eventHorizons:\n"), text.index("\nreplicas:")
        (sample_tree / ORDERS).write_text(text[:start] + text[end + 1 :])
    else:
        _depot_with_a_file(sample_tree)
        _render(sample_tree, out)
        _edit(sample_tree, f"{DEPOT}/{MANIFEST}", "name: depot", "name: storehouse")
    _render(sample_tree, out)
    cold = tmp_path / "cold"
    _render(sample_tree, cold)
    assert _contents(out, demo_keyed) == _contents(cold, demo_keyed)
    delivered = {p: text for p, text in _contents(out, demo_keyed).items() if p.startswith("_delivery")}
    assert any("depot" in p or "storehouse" in p for p in delivered)
    if change == "a horizon, plugin":
        assert (
            'applications/depot;applications/shop"'
            in delivered["_delivery/argocd/application-depot-dev.yaml"]
        )


def test_a_refusal_is_told_as_from_scratch(sample_tree: Path, demo_keyed: Path, tmp_path: Path) -> None:
    """warehouse's Inventory has no probes (a warning of its own rules); depot, the only
    application a change reaches, gets a value validation accepts and the check of the
    rendered objects refuses. The render that loaded only depot refuses as a render from
    scratch does, warehouse's warning with it (it loads the whole tree again to say so)."""
    _no_delivery(sample_tree)
    _depot_with_a_file(sample_tree)
    _no_probes(sample_tree)
    out = tmp_path / "out"
    _render(sample_tree, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit(
        sample_tree, f"{DEPOT}/microservices/inventory/{MANIFEST}", "LOG_LEVEL: info", 'LOG_LEVEL: "\\ud800"'
    )
    with pytest.MonkeyPatch.context() as spies:
        reads = _Reads(spies)
        incremental = run_line("render", sample_tree, "-o", out)
    assert reads.loads == [(frozenset({DEPOT}), frozenset({SHOP, WAREHOUSE})), (None, frozenset())]
    cold = run_line("render", sample_tree, "-o", tmp_path / "cold")
    assert cold.exit_code == 1 and f"{INVENTORY}:" in cold.stderr and f"{DEPOT}/" in cold.stderr, cold
    assert (incremental.exit_code, incremental.stderr) == (cold.exit_code, cold.stderr)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
