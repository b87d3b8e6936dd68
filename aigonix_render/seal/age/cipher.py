"""One value, AES-256-GCM encrypted as sops does it (``aes/cipher.go``).

A value is ``ENC[AES256_GCM,data:,iv:,tag:,type:]`` with a 32-byte nonce; the additional
data is the value's path of keys joined by ``:`` with a trailing ``:`` (list indices are
not part of it); an empty string stays ``""``. Decrypted values get back the type written
in ``type:``, parsed as Go's ``strconv`` parses it.
"""

from __future__ import annotations

import base64
import math
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aigonix_render.seal.age.errors import Rejected, Tampered
from aigonix_render.seal.age.values import GO_BOOLS, INT64, Time, parse_rfc3339, to_bytes

_NONCE_SIZE = 32
_ENC = re.compile(r"ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")
_TYPES: tuple[tuple[type[Any], str], ...] = (
    (str, "str"),
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (Time, "time"),
)
_GO_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?(inf|infinity|nan)", re.I)


def additional_data(path: tuple[str, ...]) -> bytes:
    """The value's path of keys joined by ``:``, with a trailing ``:``."""
    return (":".join(path) + ":").encode("utf-8")


def seal_value(value: Any, aes: AESGCM, aad: bytes) -> str:
    if value == "" and isinstance(value, str):
        return ""
    kind = next(name for cls, name in _TYPES if isinstance(value, cls))
    nonce = os.urandom(_NONCE_SIZE)
    sealed = aes.encrypt(nonce, to_bytes(value), aad)
    data, tag = (base64.b64encode(part).decode() for part in (sealed[:-16], sealed[-16:]))
    return f"ENC[AES256_GCM,data:{data},iv:{base64.b64encode(nonce).decode()},tag:{tag},type:{kind}]"


def open_value(value: str, aes: AESGCM, aad: bytes) -> Any:
    if value == "":
        return ""
    match = _ENC.match(value)
    if match is None:
        raise Tampered
    try:
        data, nonce, tag = (base64.b64decode(part, validate=True) for part in match.groups()[:3])
        plain = aes.decrypt(nonce, data + tag, aad)
    except (ValueError, InvalidTag):
        raise Tampered from None
    return _typed(plain, match[4])


def _typed(plain: bytes, kind: str) -> Any:
    """The decrypted value as sops's ``Decrypt`` types it (``strconv`` parsing)."""
    if kind == "bytes":
        return plain
    text = plain.decode("utf-8", "replace")
    if kind == "str":
        return text
    if kind == "int" and re.fullmatch(r"[-+]?[0-9]+", text) and INT64[0] <= int(text) <= INT64[1]:
        return int(text)
    if kind == "bool" and text in GO_BOOLS:
        return GO_BOOLS[text]
    if kind == "float" and _GO_FLOAT.fullmatch(text):
        number = float(text)
        if not math.isinf(number) or not text[-1].isdigit():  # Go's ParseFloat fails on overflow
            return number
    if kind == "time" and (parsed := parse_rfc3339(text)) is not None:
        return Time(parsed[0], text)
    if kind == "comment":
        raise Rejected("it holds a value of type comment, which sops versions hash differently")
    raise Tampered
