"""OUT cannot be forged, and what a user put into OUT survives a render.

A file whose bytes differ from the hash the marker recorded is never trusted: not by the
no-op fast path (whatever its mtime says), not by ``--check``, not by ``diff``, not by the
churn-free sealing that keeps a Secret whose fingerprint annotation still matches.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import KEYS, public_key, run_line, snapshot, sops_decrypt

SECRET = "shop/prod/secret-prod-billing-secret-env-variables.yaml"
CONFIG = "shop/prod/configmap-prod-web-env-variables.yaml"


def _forge(rendered: Path) -> dict[str, str]:
    """Replace the Secret by one with attacker values, encrypted to the public recipient,
    carrying the genuine fingerprint annotation and the original mtime."""
    from aigonix_render.seal.sops import find_sops

    target = rendered / SECRET
    genuine = yaml.safe_load(sops_decrypt(target, KEYS / "prod.agekey"))
    forged = {**genuine, "stringData": {key: "attacker" for key in genuine["stringData"]}}
    sealed = subprocess.run(
        [
            *(find_sops(), "encrypt", "--input-type", "yaml", "--output-type", "yaml"),
            *("--encrypted-regex", "^(data|stringData)$", "--age", public_key("prod"), "/dev/stdin"),
        ],
        input=yaml.safe_dump(forged, sort_keys=True),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    status = target.stat()
    target.write_text(sealed)
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    return dict(genuine["stringData"])


def test_a_forged_secret_is_stale_for_check_and_replaced_by_render(base_tree: Path, rendered: Path) -> None:
    genuine = _forge(rendered)
    checked = run_line("render", base_tree, "-o", rendered, "--check")
    assert checked.exit_code == 1, checked
    assert checked.stdout == f"~ {rendered / SECRET}\n"
    diffed = run_line("diff", base_tree, "-o", rendered)
    assert diffed.stdout == f"Secret {SECRET}: changed (values not shown)\n"
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert "1 Secret encrypted" in result.stderr
    restored = yaml.safe_load(sops_decrypt(rendered / SECRET, KEYS / "prod.agekey"))
    assert restored["stringData"] == genuine


def test_a_file_changed_with_its_mtime_set_back_is_noticed(base_tree: Path, rendered: Path) -> None:
    target = rendered / CONFIG
    original = target.read_bytes()
    status = target.stat()
    target.write_bytes(original.replace(b"info", b"evil"))
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert "0 added, 1 changed, 0 removed" in result.stderr
    assert target.read_bytes() == original


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            "a hand edit\n",
            "is damaged at line {line} (a merge conflict or a hand edit?): restore it with git"
            " and render again (only Secrets whose files differ from it are sealed again)",
        ),
        (
            "<<<<<<< HEAD\n=======\n",
            "is damaged: a git conflict in it does not end; restore it with git and render again",
        ),
    ],
    ids=["hand edit", "unended conflict"],
)
def test_a_damaged_marker_is_one_line_and_changes_nothing(
    base_tree: Path, rendered: Path, damage: str, message: str
) -> None:
    marker = rendered / ".aigonix-render"
    marker.write_text(marker.read_text() + damage)
    before = snapshot(rendered)
    line = len(marker.read_text().splitlines())
    for extra in ((), ("--check",)):
        result = run_line("render", base_tree, "-o", rendered, *extra)
        assert result.exit_code == 3, result
        assert result.stderr == f"aigonix-render: error: {marker} {message.format(line=line)}\n"
    assert snapshot(rendered) == before


def test_what_a_user_put_into_out_survives(base_tree: Path, rendered: Path) -> None:
    (rendered / "notes").mkdir()
    (rendered / "empty").mkdir()
    (rendered / ".git" / "refs" / "tags").mkdir(parents=True)
    (rendered / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (rendered / "link-to-file").symlink_to("shop/prod/kustomization.yaml")
    (rendered / "link-to-folder").symlink_to("shop/prod")
    (rendered / "shop" / "prod" / "mine").mkdir()
    web = base_tree / "applications/shop/microservices/web/aigonix.yaml"
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert (rendered / "notes").is_dir() and (rendered / "empty").is_dir()
    assert (rendered / ".git" / "refs" / "tags").is_dir()
    assert (rendered / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert os.readlink(rendered / "link-to-file") == "shop/prod/kustomization.yaml"
    assert os.readlink(rendered / "link-to-folder") == "shop/prod"
    assert (rendered / "shop" / "prod" / "mine").is_dir()


def test_the_folder_of_a_removed_environment_goes(base_tree: Path, rendered: Path) -> None:
    application = base_tree / "applications/shop/aigonix.yaml"
    data = yaml.safe_load(application.read_text())
    del data["environments"]["Dev"]
    application.write_text(yaml.safe_dump(data))
    for ms in (base_tree / "applications/shop/microservices").iterdir():
        dev = ms / "environments" / "Dev"
        if dev.exists():
            for child in sorted(dev.rglob("*"), reverse=True):
                child.rmdir() if child.is_dir() else child.unlink()
            dev.rmdir()
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 0, result
    assert not (rendered / "shop" / "dev").exists()


def test_a_full_disk_is_exit_3_with_the_staging_removed(
    base_tree: Path, rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    before = snapshot(rendered)
    web = base_tree / "applications/shop/microservices/web/aigonix.yaml"
    web.write_text(web.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))

    def full(descriptor: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("aigonix_render.write.files.os.write", full)
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 3, result
    assert result.stderr == (
        f"aigonix-render: error: cannot write the output directory {rendered}: "
        f"No space left on device ({rendered})\n"
    )
    assert snapshot(rendered) == before
    assert sorted(p.name for p in rendered.parent.iterdir() if p.name.startswith(".")) == []


def test_an_output_under_a_regular_file_is_exit_3(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder\n")
    result = run_line("render", base_tree, "-o", tmp_path / "file" / "out")
    assert result.exit_code == 3, result
    assert result.stderr == (
        f"aigonix-render: error: cannot write the output directory {tmp_path / 'file' / 'out'}: "
        f"a file stands where a folder is needed ({tmp_path / 'file'})\n"
    )


def test_a_changed_volume_claim_is_refused_before_anything_is_written(
    base_tree: Path, rendered: Path
) -> None:
    """Kubernetes cannot change a StatefulSet's volume claims: the sync would fail."""
    before = snapshot(rendered)
    application = base_tree / "applications/shop/aigonix.yaml"
    data = yaml.safe_load(application.read_text())
    data["eventStore"] = {"storage": {"size": "16Gi"}}
    application.write_text(yaml.safe_dump(data, sort_keys=False))
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 1, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "applications/shop/aigonix.yaml:1:1: error: shop/dev/statefulset-dev-mongo.yaml: the StatefulSet "
        "dev-mongo cannot change in place ("
    ), result
    assert "Kubernetes refuses to update these fields" in lines[0]
    assert snapshot(rendered) == before


def test_a_secret_over_the_api_servers_limit_is_refused_unwritten(base_tree: Path, rendered: Path) -> None:
    """The acr Secret holds the password twice (and once more in base64): a registry file
    under its own limits can make a Secret Kubernetes refuses."""
    from aigonix_render.seal import age as sops_age

    before = snapshot(rendered)
    password = "p" * 500_000
    sealed = sops_age.encrypt(
        f"username: robot\npassword: {password}\n", (public_key("dev"), public_key("prod")), ""
    )
    (base_tree / "registry.sops.yaml").write_text(sealed)
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 1, result
    assert result.stderr.startswith("registry.sops.yaml:1:1: error: "), result
    assert password not in result.stderr and "1 MiB" in result.stderr
    assert snapshot(rendered) == before
