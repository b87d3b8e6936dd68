"""An application's sealed files: ``storage-account-secret`` and ``<env>-kafka-files`` in the tree.

The platform made ``storage-account-secret`` with the application (platform-api v4.13.0
pkg/platform/application/k8s/resources.go: NewStorage) and the M3 connector wrote
``<env>-kafka-files`` (pkg/platform/microservice/m3connector/k8s/repo.go: UpsertKafkaFiles);
without them a cluster rebuilt from git cannot run the backup CronJob or the M3 connector.
The tree holds their values SOPS-encrypted (``applications/<app>/storage-account.yaml``,
``applications/<app>/environments/<Env>/kafka-files.yaml``); the render seals both, the
ConfigMap too, since ``accessKey.pem`` is a private key. The shop dump
(``tests/data/import/shop-dump.yaml``) has both objects, with made-up values.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import KEYS, TESTS, public_key, recipient_options, render_tree, run_line, sops_decrypt

from aigonix_render.commands.importer.compare import differences

DUMP = TESTS / "data" / "import" / "shop-dump.yaml"
PLATFORM_STORAGE = TESTS / "data" / "platform" / "secret-storage-account-secret.yaml"
NAMESPACE = "application-0b7e4c2a-3f5d-4e6a-8b9c-1d2e3f4a5b6c"
STORAGE = "applications/shop/storage-account.yaml"
KAFKA = "applications/shop/environments/Prod/kafka-files.yaml"
OUT_STORAGE = "shop/_shared/secret-storage-account-secret.yaml"
OUT_KAFKA = "shop/prod/configmap-prod-kafka-files.yaml"
BOTH_KEYS = {"SOPS_AGE_KEY": (KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text()}
NO_KEY = {"SOPS_AGE_KEY": (KEYS / "other.agekey").read_text()}
PEM_BODY = "thrownawayTestKeyOnly"


def _items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(DUMP.read_bytes())["items"]
    return items


def _item(items: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(i for i in items if i["kind"] == kind and i["metadata"]["name"] == name)


def _write(folder: Path, items: list[dict[str, Any]]) -> Path:
    path = folder / "live.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, allow_unicode=True))
    return path


def _flat(path: Path, key: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(sops_decrypt(path, KEYS / key))
    found.pop("sops", None)
    return found


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop dump imported, as a user imports it."""
    tree = tmp_path_factory.mktemp("sealed") / "tree"
    recipients = recipient_options()
    result = run_line("import", DUMP, "-o", tree, *recipients, "--accept-all-changes")
    assert result.exit_code == 0, result
    assert "storage-account-secret" not in result.stdout + result.stderr, result
    assert "kafka-files" not in result.stdout + result.stderr, result
    return tree


@pytest.fixture(scope="module")
def out(tree: Path, tmp_path_factory: pytest.TempPathFactory, both_keys: Path) -> Path:
    return render_tree(tree, tmp_path_factory.mktemp("sealed-out") / "out", both_keys)


# --- import -------------------------------------------------------------------------------


def test_import_writes_both_files_encrypted_for_their_recipients(tree: Path) -> None:
    kafka = _item(_items(), "ConfigMap", "prod-kafka-files")["data"]
    platform = yaml.safe_load(PLATFORM_STORAGE.read_text())["stringData"]
    for key in ("dev.agekey", "prod.agekey"):  # the storage account: every environment of the application
        assert _flat(tree / STORAGE, key) == platform
    assert _flat(tree / KAFKA, "prod.agekey") == kafka  # the kafka files: their environment's only
    for path in (STORAGE, KAFKA):
        text = (tree / path).read_bytes()
        assert b"PRIVATE KEY" not in text and b"acmecorpbackups" not in text and b"ENC[AES256_GCM" in text


def test_kafka_files_are_not_for_another_environments_key(tree: Path) -> None:
    from aigonix_render.seal.sops import find_sops

    argv = [find_sops(), "decrypt", str(tree / KAFKA)]
    env = {"PATH": "/usr/bin:/bin", "SOPS_AGE_KEY_FILE": str(KEYS / "dev.agekey")}
    assert subprocess.run(argv, capture_output=True, env=env, check=False).returncode != 0


def test_the_sops_config_import_writes_gives_sops_edit_the_same_recipients(tree: Path) -> None:
    from aigonix_render.seal.sops import find_sops

    for path, keys in (
        (KAFKA, [public_key("prod")]),
        (STORAGE, sorted([public_key("dev"), public_key("prod")])),
    ):
        argv = [find_sops(), "encrypt", "--filename-override", path, "/dev/stdin"]
        done = subprocess.run(argv, input=b"a: b\n", capture_output=True, cwd=tree, check=True)
        recipients = [entry["recipient"] for entry in yaml.safe_load(done.stdout)["sops"]["age"]]
        assert sorted(recipients) == keys, path


# --- render -------------------------------------------------------------------------------


def test_the_render_decrypted_is_the_platforms_objects(out: Path, both_keys: Path) -> None:
    rendered_storage = yaml.safe_load(sops_decrypt(out / OUT_STORAGE, both_keys))
    rendered_kafka = yaml.safe_load(sops_decrypt(out / OUT_KAFKA, both_keys))
    platform_storage = yaml.safe_load(PLATFORM_STORAGE.read_text())
    assert rendered_storage == platform_storage | {"type": "Opaque"}  # the API server's default
    dumped_kafka = _item(_items(), "ConfigMap", "prod-kafka-files")
    assert differences(dumped_kafka, rendered_kafka) == []
    assert rendered_kafka["data"] == dumped_kafka["data"]  # byte for byte, config.json too
    assert rendered_kafka["metadata"]["labels"] == {
        "application": "shop",
        "environment": "Prod",
        "tenant": "Acme_Corp",
    }


def test_the_kafka_files_are_sealed_in_out_and_listed(out: Path) -> None:
    for path in sorted(out.rglob("*")):
        if path.is_file():
            assert PEM_BODY.encode() not in path.read_bytes(), path
            assert b"acmecorpbackups" not in path.read_bytes(), path
    sealed = yaml.safe_load((out / OUT_KAFKA).read_text())
    assert sorted(sealed["data"]) == ["accessKey.pem", "ca.pem", "certificate.pem", "config.json"]
    assert all(value.startswith("ENC[AES256_GCM,") for value in sealed["data"].values())
    assert sealed["sops"]["encrypted_regex"] == "^(data|stringData)$"
    assert "configmap-prod-kafka-files.yaml" in (out / "shop/prod/kustomization.yaml").read_text()
    assert "secret-storage-account-secret.yaml" in (out / "shop/_shared/kustomization.yaml").read_text()
    assert "configmap-dev-kafka-files.yaml" not in (out / "shop/dev/kustomization.yaml").read_text()
    assert (out / "shop/prod/.sealed-from").read_text().count("prod-kafka-files sha256:") == 1
    assert (out / "shop/_shared/.sealed-from").read_text().count("storage-account-secret sha256:") == 1


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl")
def test_the_sealed_configmap_survives_kustomize_and_decrypts(out: Path, both_keys: Path) -> None:
    """Flux decrypts after kustomize: the MAC must hold over what ``kubectl kustomize`` prints."""
    built = subprocess.run(
        ["kubectl", "kustomize", str(out / "shop/prod")], capture_output=True, text=True, check=True
    )
    config_map = next(
        d
        for d in yaml.safe_load_all(built.stdout)
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "prod-kafka-files"
    )
    decrypted = yaml.safe_load(sops_decrypt("-", both_keys, text=yaml.safe_dump(config_map)))
    assert decrypted["data"] == _item(_items(), "ConfigMap", "prod-kafka-files")["data"]


def test_generate_reveals_both_for_argo_cd(tree: Path) -> None:
    result = run_line("generate", tree, "--app", "shop", "--env", "Prod", env=BOTH_KEYS)
    assert result.exit_code == 0, result
    documents = [d for d in yaml.safe_load_all(result.stdout) if d]
    kafka = next(d for d in documents if d["metadata"]["name"] == "prod-kafka-files")
    dumped = _item(_items(), "ConfigMap", "prod-kafka-files")
    assert (kafka["kind"], kafka["data"]) == ("ConfigMap", dumped["data"])
    assert "sops" not in kafka
    shared = run_line("generate", tree, "--app", "shop", "--env", "_shared", env=BOTH_KEYS)
    storage = next(
        d
        for d in yaml.safe_load_all(shared.stdout)
        if d and d["metadata"]["name"] == "storage-account-secret"
    )
    assert storage["stringData"] == yaml.safe_load(PLATFORM_STORAGE.read_text())["stringData"]


def test_a_changed_kafka_file_renders_its_folder_again(tree: Path, tmp_path: Path, both_keys: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPS_AGE_KEY_FILE", str(both_keys))
        assert run_line("render", copy, "-o", out).exit_code == 0
        before = (out / OUT_KAFKA).read_bytes()
        from aigonix_render.commands.importer.secrets import encrypt

        values = _item(_items(), "ConfigMap", "prod-kafka-files")["data"] | {"ca.pem": "another authority\n"}
        (copy / KAFKA).write_text(encrypt(values, (public_key("prod"),), KAFKA))
        result = run_line("render", copy, "-o", out)
    assert result.exit_code == 0, result
    assert (out / OUT_KAFKA).read_bytes() != before
    assert yaml.safe_load(sops_decrypt(out / OUT_KAFKA, both_keys))["data"]["ca.pem"] == "another authority\n"


# --- diff --live --------------------------------------------------------------------------


def test_diff_live_compares_the_sealed_configmap_by_value_never_shown(tree: Path, tmp_path: Path) -> None:
    items = _items()
    _item(items, "ConfigMap", "prod-kafka-files")["data"]["ca.pem"] = "a live value\n"
    _item(items, "Secret", "storage-account-secret")["data"]["azurestorageaccountname"] = "bGl2ZQ=="
    result = run_line("diff", "--live", _write(tmp_path, items), tree, env=BOTH_KEYS)
    assert result.exit_code == 0, result
    assert "~ ConfigMap prod-kafka-files (values differ, not shown)\n" in result.stdout
    assert "~ Secret storage-account-secret (values differ, not shown)\n" in result.stdout
    for value in ("a live value", "another", PEM_BODY, "brokerUrl", "acmecorpbackups", "live\n"):
        assert value not in result.stdout + result.stderr


@pytest.mark.parametrize("env", [BOTH_KEYS, NO_KEY], ids=["with the keys", "without a key"])
def test_diff_live_never_shows_values_a_live_object_keeps_elsewhere(
    tree: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """The live kafka files' private key moved to binaryData, an extra binaryData key, and a
    Secret with binaryData and stringData: named as differing, never shown (base64 or not)."""
    items = _items()
    kafka = _item(items, "ConfigMap", "prod-kafka-files")
    key = kafka["data"].pop("accessKey.pem")
    kafka["binaryData"] = {
        "accessKey.pem": base64.b64encode(key.encode()).decode(),
        "extra": "ZXh0cmEtdmFsdWU=",
    }
    storage = _item(items, "Secret", "storage-account-secret")
    storage["binaryData"] = {"leak": "c2VjcmV0LXZhbHVl"}
    storage["stringData"] = {"more": "plain-secret-value"}
    result = run_line("diff", "--live", _write(tmp_path, items), tree, env=env)
    assert result.exit_code == 0, result
    assert "~ ConfigMap prod-kafka-files (values differ, not shown)\n" in result.stdout
    assert "~ Secret storage-account-secret (values differ, not shown)\n" in result.stdout
    shown = result.stdout + result.stderr
    for value in (key, key[:40], base64.b64encode(key.encode()).decode()[:40], "ZXh0cmEt", "extra-value"):
        assert value not in shown
    for value in ("c2VjcmV0", "secret-value", "plain-secret-value", PEM_BODY):
        assert value not in shown


def test_diff_live_unchanged_and_without_a_key(tree: Path, tmp_path: Path) -> None:
    same = run_line("diff", "--live", DUMP, tree, env=BOTH_KEYS)
    assert "kafka-files" not in same.stdout and "storage-account-secret" not in same.stdout, same
    items = _items()
    _item(items, "ConfigMap", "prod-kafka-files")["data"]["ca.pem"] = "a live value\n"
    masked = run_line("diff", "--live", _write(tmp_path, items), tree, env=NO_KEY)
    assert masked.exit_code == 0, masked
    assert "prod-kafka-files" not in masked.stdout.split("note:")[0]  # compared by its keys: the same
    assert KAFKA in masked.stdout.split("note:")[-1]  # the note names what no key opened
    del _item(items, "ConfigMap", "prod-kafka-files")["data"]["ca.pem"]
    missing = run_line("diff", "--live", _write(tmp_path, items), tree, env=NO_KEY)
    assert "~ ConfigMap prod-kafka-files (values differ, not shown)\n" in missing.stdout, missing
    assert "a live value" not in missing.stdout


# --- the tree's rules ---------------------------------------------------------------------


def _validate(tree: Path) -> str:
    result = run_line("validate", tree)
    return result.stdout + result.stderr


@pytest.fixture
def copied(tree: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    return copy


def test_a_plaintext_kafka_file_with_its_key_is_never_read(copied: Path) -> None:
    dumped = _item(_items(), "ConfigMap", "prod-kafka-files")["data"]
    (copied / KAFKA).write_text(yaml.safe_dump(dumped))
    output = _validate(copied)
    assert f"{KAFKA}:" in output and "holds a private key (a PEM private key)" in output
    assert PEM_BODY not in output


def test_a_sealed_file_must_be_encrypted_and_hold_its_keys(copied: Path) -> None:
    (copied / STORAGE).write_text("azurestorageaccountname: plain\n")
    assert (
        f"{STORAGE}:1:1: error: not encrypted with sops: encrypt it with `sops encrypt -i {STORAGE}`"
        in _validate(copied)
    )
    from aigonix_render.commands.importer.secrets import encrypt

    values = {"azurestorageaccountname": "acmecorpbackups"}
    (copied / STORAGE).write_text(encrypt(values, (public_key("dev"),), STORAGE))
    assert f"{STORAGE}:1:1: error: 'azurestorageaccountkey' is missing" in _validate(copied)


def test_kafka_files_of_no_environment_of_the_application(copied: Path) -> None:
    (copied / "applications/shop/environments/prod").mkdir()
    shutil.move(copied / KAFKA, copied / "applications/shop/environments/prod/kafka-files.yaml")
    shutil.rmtree(copied / "applications/shop/environments/Prod")
    assert (
        "applications/shop/environments/prod/kafka-files.yaml:1:1: error: 'prod' is no environment of the "
        "application (Dev, Prod): nothing would render this file"
    ) in _validate(copied)


def test_diff_base_lists_a_changed_kafka_file_by_name_only(copied: Path) -> None:
    from aigonix_render.commands.importer.secrets import encrypt

    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=copied, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copied, check=True)
    subprocess.run([*git, "commit", "-qm", "import"], cwd=copied, check=True)
    values = _item(_items(), "ConfigMap", "prod-kafka-files")["data"] | {"ca.pem": "another authority\n"}
    (copied / KAFKA).write_text(encrypt(values, (public_key("prod"),), KAFKA))
    result = run_line("diff", "--base", "HEAD", copied)
    assert result.exit_code == 0, result
    assert (
        "shop/prod: 0 added, 1 changed, 0 removed\n  ~ ConfigMap prod-kafka-files (values not shown)\n"
        in (result.stdout)
    )
    assert "another authority" not in result.stdout + result.stderr
