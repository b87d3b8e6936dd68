"""One way to use SOPS: in-process for age-only files, else the sops binary.

Files whose only keys are age keys are encrypted and decrypted in-process
(``sops_age``: no process per Secret); everything else — other key types, key sources only
the binary knows (``SOPS_AGE_KEY_CMD``, plugins), or ``--sops-binary`` — runs the binary
with an argv list, plaintext only through stdin and stdout. Errors name the file and the
reason, never a value; sops's own output is summarised, not echoed, because it may quote
the document it failed on.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigonix_render.foundation import TREE_KEY_FILE, SopsError
from aigonix_render.seal.format import ENCRYPTED_REGEX

if TYPE_CHECKING:  # subprocess and shutil load only when the sops binary is run
    import subprocess

    from aigonix_render.seal import age as sops_age

RECIPIENT_FLAGS = {
    "age": "--age",
    "pgp": "--pgp",
    "kms": "--kms",
    "gcpKms": "--gcp-kms",
    "azureKeyVault": "--azure-kv",
    "hcVault": "--hc-vault-transit",
}
# sops finds a .sops.yaml from its working folder upwards, and one there changes its output
# (creation rules, store indentation): the caller's folder must never matter.
NO_CONFIG = ("--config", os.devnull)
DEFAULT_TIMEOUT = 120.0
SOPS_BINARY_VARIABLE = "AIGONIX_RENDER_SOPS_BINARY"  # "1": every file through the sops binary
# One value as sops's AES-GCM cipher writes it (getsops/sops aes/cipher.go): 32-byte IV, 16-byte tag.
ENCRYPTED_VALUE = re.compile(
    r"ENC\[AES256_GCM,data:[A-Za-z0-9+/]*={0,2},iv:[A-Za-z0-9+/]{43}=,tag:[A-Za-z0-9+/]{22}==,"
    r"type:(str|int|float|bool|bytes|comment)\]"
)


# The variables with which a caller names an age key to sops (SSH keys are tried besides).
AGE_KEY_VARIABLES = ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD")


def with_tree_key(environ: Mapping[str, str], root: Path, platform: str = sys.platform) -> dict[str, str]:
    """``environ``, and when it names no age key (no ``SOPS_AGE_KEY``, ``SOPS_AGE_KEY_FILE``
    or ``SOPS_AGE_KEY_CMD``, no ``<user config dir>/sops/age/keys.txt``) but the tree's root
    holds ``age.agekey``, ``SOPS_AGE_KEY_FILE`` naming it: a render right after ``init``
    finds the key ``init`` made, in-process and in the sops binary alike. SSH keys do not
    count as naming an age key: sops tries them besides any other key."""
    found = dict(environ)
    key = root / TREE_KEY_FILE
    if any(name in environ for name in AGE_KEY_VARIABLES) or not key.is_file():
        return found
    from aigonix_render.seal.age.keys import user_config_dir

    config = user_config_dir(environ, platform)
    if config is None or not (config / "sops" / "age" / "keys.txt").exists():
        found["SOPS_AGE_KEY_FILE"] = str(key.absolute())
    return found


def find_sops() -> str:
    """The sops installed beside this Python (the sops-binary package), else on PATH."""
    beside = Path(sys.executable).parent / "sops"
    if beside.is_file():
        return str(beside)
    import shutil

    found = shutil.which("sops")
    if found is None:
        raise SopsError(
            "sops was not found: install aigonix-render with pip (it brings sops) or put sops on PATH"
        )
    return found


class Sops:
    """SOPS for one run: the key sources are read once, the binary is looked for only when
    a file needs it."""

    def __init__(
        self, environ: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT, binary_only: bool = False
    ) -> None:
        self.environ = dict(environ)
        self.timeout = timeout
        self.binary_only = binary_only
        self._running: set[subprocess.Popen[bytes]] = set()
        self._stopped = False
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Kill the sops processes running for this run and start no other (Ctrl-C: a thread
        could otherwise start one just after the interrupt reached the process group)."""
        with self._lock:
            self._stopped = True
            for process in self._running:
                process.kill()

    @cached_property
    def binary(self) -> str:
        return find_sops()

    @cached_property
    def identities(self) -> sops_age.Identities:
        from aigonix_render.seal import age as sops_age

        return sops_age.identities_from_environment(self.environ)

    def decrypt(self, path: Path, name: str) -> dict[str, Any]:
        """The decrypted content of the SOPS file at ``path`` (``name`` is how errors call it)."""
        from aigonix_render.seal import (
            age as sops_age,  # not at start-up: cryptography and pyrage load slowly
        )

        text = path.read_bytes()
        if not self.binary_only and sops_age.can_handle(text):
            try:
                return sops_age.decrypt(text, self.identities, name=name)
            except sops_age.Unsupported:
                pass  # the binary reads what the in-process reader does not
            except sops_age.NoKeyError as error:
                if self.identities.complete:
                    raise _could_not("decrypt", name, error) from None
            except SopsError as error:
                raise _could_not("decrypt", name, error) from None
        return self._binary_decrypt(path, name)

    def encrypt(self, plaintext: str, recipients: tuple[tuple[str, tuple[str, ...]], ...], name: str) -> str:
        from aigonix_render.seal import age as sops_age

        if self.binary_only or not sops_age.can_encrypt(recipients):
            return self._binary_encrypt(plaintext, recipients, name)
        age = dict(recipients)["age"]
        try:
            sealed = sops_age.encrypt(plaintext, age, ENCRYPTED_REGEX, name=name)
        except sops_age.Unsupported:
            return self._binary_encrypt(plaintext, recipients, name)
        except SopsError as error:
            raise _could_not("encrypt", name, error) from None
        if not is_sealed(sealed, recipients):
            raise SopsError(f"{name}: the in-process encryption failed its own check; nothing was written")
        return sealed

    def _binary_decrypt(self, path: Path, name: str) -> dict[str, Any]:
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

    def _binary_encrypt(
        self, plaintext: str, recipients: tuple[tuple[str, tuple[str, ...]], ...], name: str
    ) -> str:
        argv = [self.binary, *NO_CONFIG, "encrypt", "--input-type", "yaml", "--output-type", "yaml"]
        argv += ["--encrypted-regex", ENCRYPTED_REGEX, "--filename-override", name]
        argv += _recipient_flags(dict(recipients))
        argv.append("/dev/stdin")
        sealed = self._run(argv, plaintext.encode("utf-8"), name, "encrypt").decode("utf-8", "replace")
        if not is_sealed(sealed, recipients):
            raise SopsError(f"{name}: sops did not encrypt it; is {self.binary} sops? Nothing was written")
        return sealed

    def _run(self, argv: list[str], stdin: bytes, name: str, action: str) -> bytes:
        import subprocess

        try:
            process = self._start(argv, name)
        except OSError as error:
            raise SopsError(f"{name}: could not run sops ({error.strerror})") from None
        try:
            stdout, stderr = process.communicate(stdin, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            raise SopsError(
                f"{name}: sops did not finish within {self.timeout:g} s and was stopped "
                "(a key service that does not answer?); --sops-timeout sets the limit"
            ) from None
        except BaseException:
            _end(process)
            raise
        finally:
            with self._lock:
                self._running.discard(process)
        if process.returncode != 0:
            raise SopsError(f"{name}: sops could not {action} it: {_reason(stderr, process.returncode)}")
        return stdout

    def _start(self, argv: list[str], name: str) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._stopped:
                raise SopsError(f"{name}: not started: the run was interrupted")
            import subprocess

            pipe = subprocess.PIPE
            process = subprocess.Popen(argv, stdin=pipe, stdout=pipe, stderr=pipe, env=self.environ)
            self._running.add(process)
            return process


def _end(process: subprocess.Popen[bytes]) -> None:
    """Kill a sops process and collect it without reading its pipes to the end: what it
    started (a key service's plugin, a shell's children) may hold them open, and waiting for
    that would outlast any timeout. sops stays in the run's process group, so Ctrl-C and a
    signal to the group reach what it started, and it keeps the terminal to ask for a
    passphrase."""
    process.kill()
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    process.wait()


def _could_not(action: str, name: str, error: SopsError) -> SopsError:
    """The in-process path speaks as the binary path does: ``<name>: sops could not ...``."""
    reason = str(error).removeprefix(f"{name}: ")
    return SopsError(f"{name}: sops could not {action} it: {reason}")


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
