"""Stage 1, load: private keys, which no file of the tree may hold or be.

A GitOps tree publishes what it reads: a config file becomes a ConfigMap key, a manifest's
values land in ConfigMaps, and ``diff --base`` prints both into a pull-request comment. A
private key must never take that way, so the loader refuses a file

- whose bytes hold one (``private_key``, text or binary alike): an age identity
  (``AGE-SECRET-KEY-1`` and at least 20 bech32 characters), a PEM private key
  (``-----BEGIN PRIVATE KEY-----`` with any label before ``PRIVATE KEY``: RSA, EC, DSA,
  ENCRYPTED, OPENSSH) or a PGP private key block (``-----BEGIN PGP PRIVATE KEY BLOCK-----``);
- or whose name says it is a key file (``key_file_name``, ``KEY_FILE_*``): ``*.agekey``
  (``age.agekey``, the key ``aigonix-render init`` keeps beside the tree), ``keys.txt`` in
  a ``sops/age/`` folder (where sops and age look for keys), and the default names of
  ssh private keys (``id_rsa``, ``id_dsa``, ``id_ecdsa``, ``id_ed25519`` and their
  ``_sk`` variants).

SOPS-encrypted files pass: their values are ``ENC[...]`` and their age stanzas are
``-----BEGIN AGE ENCRYPTED FILE-----``, neither of which is a private key. The wording of
a refusal never quotes the file's bytes.
"""

from __future__ import annotations

import re

from aigonix_render.foundation import record

_AGE = b"AGE-SECRET-KEY-1"
_PEM = b"PRIVATE KEY"
_PRIVATE_KEY = re.compile(
    rb"(?P<age>AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{20})"
    rb"|-----BEGIN (?P<label>(?:[A-Z0-9]+ )*)PRIVATE KEY(?P<block> BLOCK)?-----"
)

KEY_FILE_SUFFIXES = (".agekey",)
KEY_FILE_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
KEY_FILE_PATHS = ("sops/age/keys.txt",)
"""Key files by name: a name ending so, a name, a path ending so (at a folder's start)."""


@record
class FoundKey:
    """Where a private key starts in a file's bytes, and what kind it is (never the key)."""

    offset: int
    kind: str


def private_key(data: bytes) -> FoundKey | None:
    """The first private key in ``data``, or None. Two substring searches, for what every
    match holds, rule out almost every file before the expression runs: a SOPS file holds
    ``-----BEGIN AGE ENCRYPTED FILE-----``, which the expression would scan whole (a tenth of
    a second over the 3,000 secrets files of an N=1000 tree)."""
    if _PEM not in data and _AGE not in data:
        return None
    found = _PRIVATE_KEY.search(data)
    if found is None:
        return None
    return FoundKey(found.start(), _kind(found))


def _kind(found: re.Match[bytes]) -> str:
    if found.group("age"):
        return "an age identity"
    label = found.group("label")
    if found.group("block"):
        return "a PGP private key block" if label == b"PGP " else "a private key block"
    return "an OpenSSH private key" if label == b"OPENSSH " else "a PEM private key"


def key_file_name(relative: str) -> bool:
    """Whether the path ``relative`` (from the root, with ``/``) names a key file."""
    if relative.endswith(KEY_FILE_SUFFIXES):
        return True
    if relative.rsplit("/", 1)[-1] in KEY_FILE_NAMES:
        return True
    return any(relative == path or relative.endswith(f"/{path}") for path in KEY_FILE_PATHS)
