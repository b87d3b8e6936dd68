"""SOPS for age-keyed YAML files, in-process: one Secret costs microseconds, not a sops process.

Files written here are read by the real ``sops decrypt`` (MAC verified), and files the real
``sops encrypt`` wrote are read here, for files whose only key group is age. Everything else
(pgp, kms, Shamir groups, comment rules, key commands) is left to the sops binary: see
``can_handle``, ``can_encrypt``, ``Unsupported`` and ``Identities.complete``.

The format, as read in github.com/getsops/sops (v3.11-v3.13; no code copied), one module a file:

- ``cipher`` (``aes/cipher.go``): a value is ``ENC[AES256_GCM,data:,iv:,tag:,type:]``,
  AES-256-GCM with a 32-byte nonce; the additional data is the value's path of keys joined
  by ``:`` with a trailing ``:`` (list indices are not part of it); an empty string stays ``""``.
- ``tree`` (``sops.go``): which leaves are encrypted (``shouldBeEncrypted``: a rule matches
  any key on the path), and the MAC: SHA-512 over the plaintext bytes (``ToBytes``) of every
  leaf value, in document order, keys and nulls and comments not included; with
  ``mac_only_encrypted`` only the encrypted leaves, after a fixed 32-byte prefix (SHA-256 of
  ``sops``).
- here (``cmd/sops/common/common.go``): the MAC, as upper-case hex, is encrypted as a ``str``
  value with ``lastmodified`` (re-formatted as RFC 3339) as the additional data.
- ``store`` and ``metadata`` (``stores/yaml/store.go``, ``stores/stores.go``,
  ``stores/metadata.go``): the ``sops:`` block appended to the document; one key group is
  written flat (``age:`` list of recipient/enc).
- ``keys`` (``age/keysource.go``): the data key is age-encrypted to each recipient
  separately, ASCII-armored; the identities come from the SSH keys, ``SOPS_AGE_KEY``,
  ``SOPS_AGE_KEY_FILE``, ``SOPS_AGE_KEY_CMD`` and the user config dir's ``sops/age/keys.txt``.
- ``values`` (``resolve.go`` of go.yaml.in/yaml/v3, the YAML reader sops uses): how an
  unquoted scalar is typed (``yes`` and ``on`` are strings, ``017`` and ``1_000`` are
  numbers, dates are times). The MAC hashes unencrypted values too, so ``store`` reads YAML
  the way sops does.

Plaintext never touches disk, and no error message holds a value or a line of a file.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aigonix_render.foundation import SopsError
from aigonix_render.seal.age.cipher import open_value, seal_value
from aigonix_render.seal.age.errors import NoKeyError, Rejected, Tampered, Unsupported
from aigonix_render.seal.age.fields import Damaged, decode
from aigonix_render.seal.age.keys import (
    Identities,
    identities_from_environment,
    open_data_key,
    parse_recipients,
    wrap_data_key,
)
from aigonix_render.seal.age.metadata import handles, read_metadata
from aigonix_render.seal.age.store import Literal, emit, load, load_with_block
from aigonix_render.seal.age.tree import Rules, open_tree, plain_tree, seal_tree
from aigonix_render.seal.format import ENCRYPTED_REGEX

__all__ = [
    "ENCRYPTED_REGEX",
    "FORMAT_VERSION",
    "Identities",
    "NoKeyError",
    "Unsupported",
    "can_encrypt",
    "can_handle",
    "decrypt",
    "encrypt",
    "identities_from_environment",
]

# The sops release whose files this module writes (the one the tests check them against).
FORMAT_VERSION = "3.11.0"


def _mac_error(name: str) -> SopsError:
    return SopsError(f"{name}: the file does not verify (MAC mismatch): it was changed without sops")


def can_handle(sops_text: str | bytes) -> bool:
    """True when this module can decrypt the file: one key group, all age, no comment rules.

    Also true when the ``sops:`` block is one the sops binary refuses to read (``decrypt``
    refuses it too, naming the field). False for anything else (pgp, kms..., Shamir key
    groups, files that do not parse here): the caller then uses the sops binary, which also
    gives the proper error.
    """
    try:
        _, block = load_with_block(sops_text, "-")
        return block is not None and handles(decode(block))
    except Damaged:
        return True
    except SopsError:
        return False


def can_encrypt(recipients: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """True when every recipient is an age X25519 key (the shape ``Sops.encrypt`` takes)."""
    keys = [key for kind, group in recipients for key in group if kind == "age"]
    if not keys or any(kind != "age" for kind, _ in recipients):
        return False
    try:
        parse_recipients(tuple(keys), "-")
    except SopsError:
        return False
    return True


def encrypt(
    plaintext_yaml: str,
    recipients: tuple[str, ...],
    encrypted_regex: str = ENCRYPTED_REGEX,
    *,
    name: str = "<input>",
) -> str:
    """``sops encrypt --encrypted-regex R --age A,B`` of one YAML mapping, key order kept.

    Values are typed as sops types them (so an unquoted ``017`` is the number 15); an empty
    ``encrypted_regex`` means sops's default rule (everything but ``*_unencrypted`` keys).
    """
    keys = parse_recipients(recipients, name)
    document = load(plaintext_yaml, name)
    if not isinstance(document, dict):
        raise SopsError(f"{name}: it is not a YAML mapping, which sops needs")
    if "sops" in document:
        raise SopsError(f"{name}: it has a top-level sops key: it is encrypted already")
    rules = Rules("encrypted_regex", encrypted_regex) if encrypted_regex else Rules()
    data_key = os.urandom(32)
    aes = AESGCM(data_key)
    try:
        sealed, mac = seal_tree(document, rules, aes)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        age = [{"recipient": r, "enc": Literal(wrap_data_key(data_key, k))} for r, k in keys]
        meta: dict[str, Any] = {"age": age, "lastmodified": now}
        meta |= {"mac": seal_value(mac, aes, now.encode()), rules.kind: rules.value}
        return emit({**sealed, "sops": {**meta, "version": FORMAT_VERSION}})
    except Rejected as error:
        raise Unsupported(f"{name}: {error}") from None


def decrypt(sops_text: str | bytes, identities: Identities, *, name: str = "<input>") -> dict[str, Any]:
    """The plaintext mapping of a SOPS YAML file (without ``sops``), its MAC verified.

    Raises ``NoKeyError`` when no identity opens it, ``Unsupported`` (or a false
    ``can_handle``) when only the sops binary can read it.
    """
    document, block = load_with_block(sops_text, name)
    if block is None:
        raise SopsError(f"{name}: it is not a sops-encrypted file")
    try:
        view = decode(block)
    except Damaged as error:
        raise SopsError(f"{name}: its sops metadata is damaged: {error}") from None
    if not handles(view):
        raise Unsupported(f"{name}: its keys are not only age keys; only the sops binary decrypts it")
    meta = read_metadata(view, name)
    aes = AESGCM(open_data_key(meta.age, identities, name))
    tree = {key: value for key, value in document.items() if key != "sops"}
    try:
        plain, mac = open_tree(tree, meta.rules, meta.mac_only_encrypted, aes)
        if open_value(meta.mac, aes, meta.lastmodified.encode()) != mac:
            raise Tampered
    except Tampered:
        raise _mac_error(name) from None
    except Rejected as error:
        raise Unsupported(f"{name}: {error}") from None
    result: dict[str, Any] = plain_tree(plain)
    return result
