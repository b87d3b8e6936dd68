"""seal.py's fingerprint: what a Secret was made from, without a single plaintext value."""

from __future__ import annotations

from pathlib import Path

from aigonix_render.foundation import replace
from aigonix_render.render import Meta, PendingSecret, Templates
from aigonix_render.seal.sealing import FINGERPRINT, fingerprint, previous_fingerprint, secret_text

SOURCE = "applications/shop/microservices/web/environments/Prod/secrets.yaml"


def _pending() -> PendingSecret:
    meta = Meta("Secret", "prod-web-secret-env-variables", "application-x", {"tenant": "Acme"}, type="Opaque")
    return PendingSecret("shop/prod/secret.yaml", meta, SOURCE, ("TOKEN",), (("age", ("age1a",)),))


def _tree(tmp_path: Path, content: bytes) -> Path:
    (tmp_path / SOURCE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / SOURCE).write_bytes(content)
    return tmp_path


def test_the_fingerprint_follows_source_recipients_and_shape(tmp_path: Path) -> None:
    templates = Templates()
    pending = _pending()
    first = fingerprint(pending, _tree(tmp_path, b"TOKEN: ENC[...]\n"), templates).fingerprint
    assert first.startswith("sha256:") and len(first) == 71
    assert fingerprint(pending, tmp_path, templates).fingerprint == first
    other_recipients = replace(pending, recipients=(("age", ("age1b",)),))
    assert fingerprint(other_recipients, tmp_path, templates).fingerprint != first
    other_shape = replace(pending, keys=("TOKEN", "OTHER"))
    assert fingerprint(other_shape, tmp_path, templates).fingerprint != first
    _tree(tmp_path, b"TOKEN: ENC[changed]\n")
    assert fingerprint(pending, tmp_path, templates).fingerprint != first


def test_the_fingerprint_is_read_back_from_the_sealed_text() -> None:
    text = secret_text(Templates(), _pending(), {"TOKEN": "value"}, "sha256:" + "a" * 64)
    assert f"{FINGERPRINT}: " in text
    assert previous_fingerprint(text) == "sha256:" + "a" * 64
    assert previous_fingerprint("kind: Secret\n") is None
