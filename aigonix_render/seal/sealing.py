"""Stage 5, seal: pending Secrets → SOPS-encrypted files, one Secret per file (and the
ConfigMaps that hold secrets, sealed the same way).

A Secret carries a fingerprint (``aigonix.io/sealed-from``) of everything it was made
from: its rendered shape, the *encrypted* bytes of its source file and its recipients.
When the previous output holds a Secret with the same fingerprint, that file is kept
byte for byte, without decrypting anything. The fingerprint holds no plaintext. With
exact adoption (``Meta.exact``) the Secret carries nothing the platform's did not: the
fingerprints of a folder's Secrets are lines ``<name> sha256:...`` of its ``.sealed-from``
file instead, which no kustomization lists (``fingerprint_files``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from aigonix_render.foundation import InvalidInput, OutputFile, SopsError, record, replace
from aigonix_render.render import PendingSecret, Templates, docker_config
from aigonix_render.seal.sops import Sops

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

FINGERPRINT = "aigonix.io/sealed-from"
FINGERPRINT_FORMAT = 1
SEALED_FROM = ".sealed-from"
SEALED_CONFIG_MAP = "ConfigMap"
"""The one other kind sealed: a ConfigMap that holds a secret (an environment's kafka files,
with the M3 connector's private key). SOPS encrypts its ``data`` as it does a Secret's, and
Flux decrypts any object with a ``sops`` block (kustomize-controller
internal/decryptor/decryptor.go: isSOPSEncryptedResource)."""
_FINGERPRINT_LINE = re.compile(rf"^\s+{re.escape(FINGERPRINT)}: \"?(sha256:[0-9a-f]{{64}})\"?$", re.M)


@record
class Fingerprinted:
    """A pending Secret and the fingerprint of what it is sealed from (``fingerprint``)."""

    pending: PendingSecret
    fingerprint: str


def fingerprint(pending: PendingSecret, root: Path, templates: Templates) -> Fingerprinted:
    shape = secret_text(templates, pending, {k: f"<{k}>" for k in _output_keys(pending)}, "")
    source = hashlib.sha256((root / pending.source).read_bytes()).hexdigest()
    material = json.dumps(
        {
            "format": FINGERPRINT_FORMAT,
            "shape": shape,
            "source": source,
            "recipients": pending.recipients,
            **({"order": pending.docker_order} if pending.docker_order != "sorted" else {}),
        },
        sort_keys=True,
    )
    return Fingerprinted(pending, "sha256:" + hashlib.sha256(material.encode()).hexdigest())


def previous_fingerprint(
    text: str, pending: PendingSecret | None = None, read: Callable[[str], bytes | None] | None = None
) -> str | None:
    """The fingerprint a previous Secret file was sealed with: its annotation, or with exact
    adoption its line in the folder's ``.sealed-from`` (``read``: a previous file's bytes, or
    None when aigonix-render did not write them)."""
    if pending is not None and pending.meta.exact:
        listed = read(sealed_from_path(pending.path)) if read is not None else None
        return _listed(listed.decode("utf-8", "replace") if listed else "", pending.meta.name)
    match = _FINGERPRINT_LINE.search(text)
    return match.group(1) if match else None


def sealed_from_path(secret_path: str) -> str:
    """The ``.sealed-from`` file beside a Secret's file."""
    folder = secret_path.rpartition("/")[0]
    return f"{folder}/{SEALED_FROM}" if folder else SEALED_FROM


def _listed(text: str, name: str) -> str | None:
    for line in text.splitlines():
        listed, _, print_ = line.partition(" ")
        if listed == name and print_.startswith("sha256:"):
            return print_
    return None


def fingerprint_files(secrets: Iterable[Fingerprinted]) -> list[OutputFile]:
    """With exact adoption, one ``.sealed-from`` per folder of sealed Secrets: a line
    ``<name> sha256:...`` per Secret, sorted by name."""
    lines: dict[str, list[str]] = {}
    for secret in secrets:
        if secret.pending.meta.exact:
            path = sealed_from_path(secret.pending.path)
            lines.setdefault(path, []).append(f"{secret.pending.meta.name} {secret.fingerprint}\n")
    return [OutputFile(path, "".join(sorted(found))) for path, found in sorted(lines.items())]


def secret_text(templates: Templates, pending: PendingSecret, values: Mapping[str, str], print_: str) -> str:
    """The object with its values: a Secret's under ``stringData``; a sealed ConfigMap's
    under ``data``, as the platform wrote them (``SEALED_CONFIG_MAP``)."""
    annotations = dict(pending.meta.annotations)
    if print_ and not pending.meta.exact:
        annotations[FINGERPRINT] = print_
    meta = replace(pending.meta, annotations=annotations)
    if meta.kind == SEALED_CONFIG_MAP:
        return templates.render("configmap.yaml.j2", o=meta, data=values, binary_data={})
    return templates.render("secret.yaml.j2", o=meta, values=values)


def _output_keys(pending: PendingSecret) -> tuple[str, ...]:
    return (".dockerconfigjson",) if pending.docker_server else pending.keys


def seal(
    secrets: list[Fingerprinted],
    root: Path,
    templates: Templates,
    sops: Sops,
    jobs: int,
) -> list[OutputFile]:
    """Decrypt the sources these Secrets need, then encrypt each Secret for its recipients."""
    decrypted = decrypt_sources([s.pending for s in secrets], root, sops, jobs)

    def encrypt(secret: Fingerprinted) -> OutputFile:
        return _seal_one(secret, decrypted[secret.pending.source], templates, sops)

    return _in_parallel(encrypt, secrets, jobs, sops.stop)


def decrypt_sources(
    pending: Iterable[PendingSecret], root: Path, sops: Sops, jobs: int
) -> dict[str, dict[str, Any]]:
    """The one decrypt path (render's sealing, generate's reveal): each source file once."""
    sources = sorted({p.source for p in pending})

    def decrypt(source: str) -> dict[str, Any]:
        return sops.decrypt(root / source, source)

    return dict(zip(sources, _in_parallel(decrypt, sources, jobs, sops.stop), strict=True))


def _in_parallel(
    function: Callable[[_Item], _Result], items: Sequence[_Item], jobs: int, stop: Callable[[], None]
) -> list[_Result]:
    """``function`` over ``items`` on ``jobs`` threads, in order. On Ctrl-C (or any error)
    ``stop`` ends the calls under way and the others are cancelled, so the run ends now, not
    when the last sops process started around the interrupt has finished."""
    if jobs <= 1 or len(items) <= 1:  # no pool (generate's decrypting): it loads logging
        try:
            return [function(item) for item in items]
        except BaseException:
            stop()
            raise
    from concurrent.futures import ThreadPoolExecutor  # not at start-up: it loads logging

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        return list(pool.map(function, items))
    except BaseException:
        stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def reveal(pending: PendingSecret, decrypted: Mapping[str, Mapping[str, Any]], templates: Templates) -> str:
    """A Secret with its values in the clear, for the Argo CD plugin's stdout only."""
    return _checked(
        pending, secret_text(templates, pending, secret_values(pending, decrypted[pending.source]), "")
    )


def _seal_one(
    secret: Fingerprinted, source: Mapping[str, Any], templates: Templates, sops: Sops
) -> OutputFile:
    pending = secret.pending
    values = secret_values(pending, source)
    text = _checked(pending, secret_text(templates, pending, values, secret.fingerprint))
    return OutputFile(pending.path, sops.encrypt(text, pending.recipients, pending.path))


def _checked(pending: PendingSecret, text: str) -> str:
    """A Secret Kubernetes would refuse (over 1 MiB, a lone surrogate) is refused here, once
    its values are known; the message names its source file, never a value."""
    from aigonix_render.check import check_secret_size

    problem = check_secret_size(pending.source, text)
    if problem is not None:
        raise InvalidInput([problem])
    return text


def secret_values(pending: PendingSecret, source: Mapping[str, Any]) -> dict[str, str]:
    for key in pending.keys:
        if not isinstance(source.get(key), str):
            raise SopsError(f"{pending.source}: {key} is missing or not a string after decryption")
    if pending.docker_server:
        return {
            ".dockerconfigjson": docker_config(
                pending.docker_server, source["username"], source["password"], pending.docker_order
            )
        }
    return {key: source[key] for key in pending.keys}
