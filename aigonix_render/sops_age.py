"""SOPS for age-keyed YAML files, in-process: one Secret costs microseconds, not a sops process.

Files written here are read by the real ``sops decrypt`` (MAC verified), and files the real
``sops encrypt`` wrote are read here, for files whose only key group is age. Everything else
(pgp, kms, Shamir groups, comment rules, key commands) is left to the sops binary: see
``can_handle``, ``can_encrypt``, ``Unsupported`` and ``Identities.complete``.

The format, as read in github.com/getsops/sops (v3.11-v3.13; no code copied):

- ``aes/cipher.go``: a value is ``ENC[AES256_GCM,data:,iv:,tag:,type:]``, AES-256-GCM with a
  32-byte nonce; the additional data is the value's path of keys joined by ``:`` with a
  trailing ``:`` (list indices are not part of it); an empty string stays ``""``.
- ``sops.go``: which leaves are encrypted (``shouldBeEncrypted``: a rule matches any key on
  the path), and the MAC: SHA-512 over the plaintext bytes (``ToBytes``) of every leaf value,
  in document order, keys and nulls and comments not included; with ``mac_only_encrypted``
  only the encrypted leaves, after a fixed 32-byte prefix (SHA-256 of ``sops``).
- ``cmd/sops/common/common.go``: the MAC, as upper-case hex, is encrypted as a ``str`` value
  with ``lastmodified`` (re-formatted as RFC 3339) as the additional data.
- ``stores/yaml/store.go``, ``stores/stores.go``, ``stores/metadata.go``: the ``sops:`` block
  appended to the document; one key group is written flat (``age:`` list of recipient/enc).
- ``age/keysource.go``: the data key is age-encrypted to each recipient separately,
  ASCII-armored; the identities come from the SSH keys, ``SOPS_AGE_KEY``,
  ``SOPS_AGE_KEY_FILE``, ``SOPS_AGE_KEY_CMD`` and the user config dir's ``sops/age/keys.txt``.
- ``resolve.go`` of go.yaml.in/yaml/v3 (the YAML reader sops uses): how an unquoted scalar is
  typed (``yes`` and ``on`` are strings, ``017`` and ``1_000`` are numbers, dates are times).
  The MAC hashes unencrypted values too, so this module reads YAML the way sops does.

Plaintext never touches disk, and no error message holds a value or a line of a file.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

import pyrage
import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aigonix_render.errors import SopsError

ENCRYPTED_REGEX = "^(data|stringData)$"
# The sops release whose files this module writes (the one the tests check them against).
FORMAT_VERSION = "3.11.0"

_Identity: TypeAlias = "pyrage.x25519.Identity | pyrage.ssh.Identity"
_NONCE_SIZE = 32
_MAC_ONLY_ENCRYPTED_PREFIX = hashlib.sha256(b"sops").digest()
_KEY_TYPES = ("age", "pgp", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault")
_RULES = ("unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex")
_COMMENT_RULES = ("unencrypted_comment_regex", "encrypted_comment_regex")


class NoKeyError(SopsError):
    """No identity at hand opens the data key (if ``Identities.complete`` is false, sops might)."""


class Unsupported(SopsError):
    """The file is valid for sops but needs the sops binary (a YAML tag, a 64-bit overflow...)."""


class _Rejected(Exception):
    """Raised deep inside (YAML constructors, regexes); turned into ``Unsupported`` with a name."""


class _Tampered(Exception):
    """A value or the MAC does not verify."""


def _mac_error(name: str) -> SopsError:
    return SopsError(f"{name}: the file does not verify (MAC mismatch): it was changed without sops")


# --- Scalars as go.yaml.in/yaml/v3 (resolve.go) types them ---------------------------------


@dataclass(frozen=True)
class _Time:
    """A YAML timestamp: ``text`` is Go's ``time.Time.MarshalText``, ``source`` as written."""

    text: str
    source: str


_SPECIAL: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_GO_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?")
_ZONE = re.compile(r"Z|([-+])([0-9]{2}):([0-9]{2})")
_INT64 = (-(2**63), 2**63 - 1)


def _go_scalar(text: str) -> Any:
    """The value yaml.v3 gives an unquoted scalar when decoding into ``interface{}``."""
    hint = text[:1]
    if text in _SPECIAL:  # every key starts with a character yaml.v3 looks up
        return _SPECIAL[text]
    if hint == ".":
        return _finite(float(text.replace("_", "")), text) if _DOT_FLOAT.fullmatch(text) else text
    if hint == "" or hint not in "+-0123456789":
        return text
    stamp = _go_timestamp(text)
    if stamp is not None:
        return stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_FLOAT.fullmatch(plain):
        return _finite(float(plain), text)
    return text


def _finite(value: float, text: str) -> float | str:
    """Go's ParseFloat fails (and yaml.v3 keeps the text) where Python overflows to infinity."""
    return text if math.isinf(value) else value


def _go_int(plain: str) -> int | None:
    """``strconv.ParseInt(plain, 0, 64)``; a uint64 (which sops cannot walk) is refused."""
    match = _GO_INT.fullmatch(plain)
    if match is None:
        return None
    sign, hexa, octal, binary, legacy, decimal = match.groups()
    digits, base = next(
        (d, b) for d, b in ((hexa, 16), (octal, 8), (binary, 2), (legacy, 8), (decimal, 10)) if d
    )
    value = int(digits, base) * (-1 if sign == "-" else 1)
    if _INT64[0] <= value <= _INT64[1]:
        return value
    if sign == "" and value < 2**64:
        raise _Rejected("it holds an unsigned 64-bit number, which sops cannot process")
    return None


def _go_timestamp(text: str) -> _Time | None:
    """yaml.v3's timestamp formats (``2006-1-2``, with ``T``/``t``/`` `` and a time), as Go parses them."""
    date = _DATE.match(text)
    if date is None:
        return None
    rest = text[date.end() :]
    clock: tuple[int, int, int, str] = (0, 0, 0, "")
    offset = 0
    if rest:
        found = _CLOCK.match(rest, 1) if rest[0] in "Tt " else None
        if found is None:
            return None
        clock = (int(found[1]), int(found[2]), int(found[3]), found[4] or "")
        tail = rest[found.end() :]
        zone = _ZONE.fullmatch(tail) if rest[0] != " " else None
        if (zone is None) != (rest[0] == " ") or (rest[0] == " " and tail):
            return None  # with T a zone is required, with a space none is allowed
        if zone is not None and zone[1]:
            if int(zone[2]) > 24 or int(zone[3]) > 60:
                return None
            offset = (int(zone[2]) * 60 + int(zone[3])) * (-1 if zone[1] == "-" else 1)
    year, month, day = int(date[1]), int(date[2]), int(date[3])
    if not _valid_time(year, month, day, clock):
        return None
    return _Time(_marshal_time(year, month, day, clock, offset), text)


def _valid_time(year: int, month: int, day: int, clock: tuple[int, int, int, str]) -> bool:
    if not 1 <= month <= 12 or clock[0] > 23 or clock[1] > 59 or clock[2] > 59:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return 1 <= day <= days


def _marshal_time(year: int, month: int, day: int, clock: tuple[int, int, int, str], offset: int) -> str:
    """Go's RFC 3339 with nanoseconds (trailing zeros cut), ``Z`` for a zero offset (minutes)."""
    hour, minute, second, fraction = clock
    nanos = fraction[:9].ljust(9, "0").rstrip("0")
    zone = (
        "Z" if offset == 0 else f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    )
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    return text + (f".{nanos}" if nanos else "") + zone


_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?(Z|([-+])([0-9]{2}):([0-9]{2}))"
)


def _parse_rfc3339(text: str) -> tuple[str, str] | None:
    """(MarshalText, Format(time.RFC3339)) of a Go RFC 3339 time: values of type time, lastmodified."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    offset = 0
    if match[9]:
        offset = (int(match[10]) * 60 + int(match[11])) * (-1 if match[9] == "-" else 1)
    clock = (hour, minute, second, match[7] or "")
    if not _valid_time(year, month, day, clock) or int(match[10] or 0) > 24 or int(match[11] or 0) > 60:
        return None
    whole = _marshal_time(year, month, day, (hour, minute, second, ""), offset)
    return _marshal_time(year, month, day, clock, offset), whole


def _go_float(value: float) -> str:
    """``strconv.FormatFloat(value, 'f', -1, 64)``: the shortest round-trip digits, no exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return format(Decimal(repr(value)).normalize(), "f")


def _to_bytes(value: Any) -> bytes:
    """sops's ``ToBytes``: what the MAC hashes and what a value's ciphertext holds."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool):
        return b"True" if value else b"False"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return _go_float(value).encode()
    if isinstance(value, _Time):
        return value.text.encode()
    if isinstance(value, bytes):
        return value
    raise _Rejected(f"it holds a value of type {type(value).__name__}, which sops cannot process")


# --- Reading YAML as sops does -----------------------------------------------------------

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_PLAIN = "tag:aigonix.io,2025:go-yaml-plain"


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """libyaml's parser, with yaml.v3's typing of plain scalars; other explicit tags refused."""

    yaml_constructors: ClassVar[dict[Any, Any]] = {}
    yaml_multi_constructors: ClassVar[dict[Any, Any]] = {}

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _MAP if kind is yaml.MappingNode else _SEQ


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _Rejected("it has a key that is not a string, which sops cannot process")
        if key in result:
            raise _Rejected("it has a duplicate key, which sops refuses")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    return [loader.construct_object(item, deep=True) for item in node.value]


def _construct_unknown(loader: _Loader, node: yaml.Node) -> Any:
    raise _Rejected("it uses an explicit YAML tag this reader does not handle")


_TAGGED: dict[str, tuple[type[Any], ...]] = {
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "null": (type(None),),
    "timestamp": (_Time,),
}


def _construct_tagged(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """``!!int "5"`` and the like: yaml.v3 resolves the text and requires the tag's type."""
    kind = node.tag.rsplit(":", 1)[1]
    value = _go_scalar(node.value)
    if type(value) not in _TAGGED[kind]:
        raise _Rejected(f"it has a !!{kind} value that is not one, which sops refuses")
    return float(value) if kind == "float" else value


_Loader.add_constructor(_PLAIN, lambda loader, node: _go_scalar(node.value))
_Loader.add_constructor(_STR, lambda loader, node: node.value)
_Loader.add_constructor(_MAP, _construct_mapping)
_Loader.add_constructor(_SEQ, _construct_sequence)
_Loader.add_constructor(None, _construct_unknown)
for _kind in _TAGGED:
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _construct_tagged)


def _load(text: str | bytes, name: str) -> Any:
    """The one YAML document of ``text`` (None when empty), typed as sops types it."""
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if node is not None and loader.check_node():
            raise Unsupported(
                f"{name}: it holds more than one YAML document; only the sops binary reads those"
            )
        return None if node is None else loader.construct_document(node)
    except _Rejected as error:
        raise Unsupported(f"{name}: {error}") from None
    except yaml.MarkedYAMLError as error:
        line = f" (line {error.problem_mark.line + 1})" if error.problem_mark else ""
        raise SopsError(f"{name}: it is not valid YAML{line}") from None
    except yaml.YAMLError:
        raise SopsError(f"{name}: it is not valid YAML") from None
    finally:
        loader.dispose()


# --- Writing YAML as sops does (yaml.v3's layout: indent 4, lists indented) ----------------


class _Literal(str):
    """A string written as a literal block (the armored data keys)."""


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9^$().+/=_;<~\\][ -~]*")
_OLD_BOOLS = frozenset(("y", "Y", "n", "N"))
_yaml11_tag: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x85": "\\N"}
_ESCAPES |= {"\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def _emit(document: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _emit_mapping(document, 0, 4, lines)
    return "\n".join(lines) + "\n"


def _emit_mapping(mapping: Mapping[str, Any], column: int, child: int, lines: list[str]) -> None:
    for key, value in mapping.items():
        head = " " * column + _scalar(key) + ":"
        if len(head) - column > 1024:  # YAML's limit for a key without "? "
            raise _Rejected("it has a key longer than 1024 characters")
        if isinstance(value, dict) and value:
            lines.append(head)
            _emit_mapping(value, child, child + 4, lines)
        elif isinstance(value, list) and value:
            lines.append(head)
            _emit_sequence(value, child, lines)
        elif isinstance(value, _Literal):
            lines.append(head + " |")
            lines.extend(" " * child + line for line in value.splitlines())
        else:
            lines.append(f"{head} {_scalar(value)}")


def _emit_sequence(items: list[Any], pad: int, lines: list[str]) -> None:
    for item in items:
        start = len(lines)
        if isinstance(item, dict) and item:
            _emit_mapping(item, pad + 2, pad + 4, lines)
        elif isinstance(item, list) and item:
            _emit_sequence(item, pad + 2, lines)
        else:
            lines.append(" " * (pad + 2) + _scalar(item))
        lines[start] = " " * pad + "- " + lines[start][pad + 2 :]


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, _Time):
        return value.text
    return "{}" if isinstance(value, dict) else "[]"


def _yaml_float(value: float) -> str:
    """A float both yaml.v3 and YAML 1.1 readers (kustomize, PyYAML) read back as that float."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _string(text: str) -> str:
    """Plain when every YAML reader takes it as this string, else quoted (yaml.v3's choices)."""
    as_text = _reads_as_string(text)
    if as_text and _PLAIN_TEXT.fullmatch(text) and _plain_safe(text):
        return text
    if as_text and all(" " <= c <= "~" for c in text):
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_escape(c) for c in text) + '"'


def _plain_safe(text: str) -> bool:
    if text.endswith((" ", ":")) or ": " in text or " #" in text:
        return False
    return not text.startswith(("---", "..."))


def _reads_as_string(text: str) -> bool:
    try:
        typed = _go_scalar(text)
    except _Rejected:
        return False
    if not isinstance(typed, str) or text in _OLD_BOOLS:
        return False
    return _yaml11_tag(yaml.ScalarNode, text, (True, False)) == _STR


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000:
        return char
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


# --- Which values are encrypted (sops.go, shouldBeEncrypted) -------------------------------


@dataclass(frozen=True)
class _Rules:
    """The file's one encryption rule; none means sops's default ``unencrypted_suffix``."""

    kind: str = "unencrypted_suffix"
    value: str = "_unencrypted"

    def encrypts(self, path: tuple[str, ...]) -> bool:
        if self.kind == "unencrypted_suffix":
            return not any(key.endswith(self.value) for key in path)
        if self.kind == "encrypted_suffix":
            return any(key.endswith(self.value) for key in path)
        matched = any(_regex_match(self.value, key) for key in path)
        return matched if self.kind == "encrypted_regex" else not matched


# Python-only syntax (Go would not compile it, and then matches nothing) or Go-only syntax.
_NOT_RE2 = re.compile(r"\(\?([=!>]|<[=!]|P=)|\\[1-9zZQ]|\[:|\{,|[*+?}]\+|\(\?[a-z]*[xaLu]")
_MULTILINE = re.compile(r"\(\?[a-zA-Z]*m")


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    """Go's RE2 pattern as a Python one: ``$`` means end of text (``\\Z``), classes are ASCII."""
    if _NOT_RE2.search(pattern):
        raise _Rejected("its encryption regex uses syntax on which Go and Python differ")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(_end_of_text(pattern), re.ASCII)
    except (re.error, FutureWarning, DeprecationWarning):
        raise _Rejected("its encryption regex does not compile here") from None


def _end_of_text(pattern: str) -> str:
    """Each ``$`` outside a character class becomes ``\\Z`` (escapes and classes copied as they are)."""
    parts = re.findall(r"\\.|\[\^?\]?(?:\\.|[^\]])*\]|.", pattern, re.DOTALL)
    return "".join("\\Z" if part == "$" else part for part in parts)


def _regex_match(pattern: str, key: str) -> bool:
    """Go's ``regexp.Match``: unanchored, on the key."""
    if "\n" in key and _MULTILINE.search(pattern):
        raise _Rejected("a key holds a newline and the regex is multi-line, where Go and Python differ")
    return _regex(pattern).search(key) is not None


# --- Values: AES-256-GCM (aes/cipher.go) --------------------------------------------------

_ENC = re.compile(r"ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")
_TYPES: tuple[tuple[type[Any], str], ...] = (
    (str, "str"),
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (_Time, "time"),
)
_GO_BOOLS = {**dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True)}
_GO_BOOLS |= dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False)
_GO_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?(inf|infinity|nan)", re.I)


def _aad(path: tuple[str, ...]) -> bytes:
    return (":".join(path) + ":").encode("utf-8")


def _seal(value: Any, aes: AESGCM, aad: bytes) -> str:
    if value == "" and isinstance(value, str):
        return ""
    kind = next(name for cls, name in _TYPES if isinstance(value, cls))
    nonce = os.urandom(_NONCE_SIZE)
    sealed = aes.encrypt(nonce, _to_bytes(value), aad)
    data, tag = (base64.b64encode(part).decode() for part in (sealed[:-16], sealed[-16:]))
    return f"ENC[AES256_GCM,data:{data},iv:{base64.b64encode(nonce).decode()},tag:{tag},type:{kind}]"


def _open(value: str, aes: AESGCM, aad: bytes) -> Any:
    if value == "":
        return ""
    match = _ENC.match(value)
    if match is None:
        raise _Tampered
    try:
        data, nonce, tag = (base64.b64decode(part, validate=True) for part in match.groups()[:3])
        plain = aes.decrypt(nonce, data + tag, aad)
    except (ValueError, InvalidTag):
        raise _Tampered from None
    return _typed(plain, match[4])


def _typed(plain: bytes, kind: str) -> Any:
    """The decrypted value as sops's ``Decrypt`` types it (``strconv`` parsing)."""
    if kind == "bytes":
        return plain
    text = plain.decode("utf-8", "replace")
    if kind == "str":
        return text
    if kind == "int" and re.fullmatch(r"[-+]?[0-9]+", text) and _INT64[0] <= int(text) <= _INT64[1]:
        return int(text)
    if kind == "bool" and text in _GO_BOOLS:
        return _GO_BOOLS[text]
    if kind == "float" and _GO_FLOAT.fullmatch(text):
        number = float(text)
        if not math.isinf(number) or not text[-1].isdigit():  # Go's ParseFloat fails on overflow
            return number
    if kind == "time" and (parsed := _parse_rfc3339(text)) is not None:
        return _Time(parsed[0], text)
    if kind == "comment":
        raise _Rejected("it holds a value of type comment, which sops versions hash differently")
    raise _Tampered


def _walk(node: Any, path: tuple[str, ...], leaf: Callable[[Any, tuple[str, ...]], Any]) -> Any:
    """sops's tree walk: map keys extend the path, list items do not, nulls are skipped."""
    if isinstance(node, dict):
        return {key: _walk(value, (*path, key), leaf) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, path, leaf) for item in node]
    return None if node is None else leaf(node, path)


def _plain(node: Any) -> Any:
    """A decrypted tree for callers: times become their RFC 3339 text (as ``sops decrypt`` prints)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node.text if isinstance(node, _Time) else node


# --- Metadata (stores/stores.go, stores/metadata.go) ---------------------------------------


@dataclass(frozen=True)
class _Metadata:
    age: tuple[tuple[str, str], ...]
    lastmodified: str
    mac: str
    rules: _Rules
    mac_only_encrypted: bool


def _key_groups(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flat key lists make one group; else ``key_groups`` (``internalKeygroups``)."""
    flat = {kind: meta[kind] for kind in _KEY_TYPES if meta.get(kind)}
    if flat:
        return [flat]
    groups = meta.get("key_groups") or []
    if not isinstance(groups, list):
        return []
    return [{k: g[k] for k in _KEY_TYPES if g.get(k)} if isinstance(g, dict) else {"?": g} for g in groups]


def _sops_block(document: Any) -> Mapping[str, Any] | None:
    block = document.get("sops") if isinstance(document, dict) else None
    return block if isinstance(block, dict) else None


def _handles(meta: Mapping[str, Any]) -> bool:
    groups = _key_groups(meta)
    if len(groups) != 1 or set(groups[0]) != {"age"} or not isinstance(groups[0]["age"], list):
        return False
    rules = [rule for rule in _RULES if meta.get(rule)]
    return len(rules) <= 1 and not any(meta.get(rule) for rule in _COMMENT_RULES)


def _metadata(meta: Mapping[str, Any], name: str) -> _Metadata:
    damaged = SopsError(f"{name}: its sops metadata is damaged")
    entries = _key_groups(meta)[0]["age"]
    if not all(isinstance(e, dict) and isinstance(e.get("enc", ""), str) for e in entries):
        raise damaged
    lastmodified = meta.get("lastmodified")
    source = lastmodified.source if isinstance(lastmodified, _Time) else lastmodified
    parsed = _parse_rfc3339(source) if isinstance(source, str) else None
    mac = meta.get("mac", "")
    rule = next((r for r in _RULES if meta.get(r)), None)
    if parsed is None or not isinstance(mac, str) or (rule and not isinstance(meta[rule], str)):
        raise damaged
    only = meta.get("mac_only_encrypted", False)
    only = _GO_BOOLS.get(only, None) if isinstance(only, str) else only
    if not isinstance(only, bool):
        raise damaged
    age = tuple((str(e.get("recipient", "")), str(e.get("enc", ""))) for e in entries)
    return _Metadata(age, parsed[1], mac, _Rules(rule, meta[rule]) if rule else _Rules(), only)


def can_handle(sops_text: str | bytes) -> bool:
    """True when this module can decrypt the file: one key group, all age, no comment rules.

    False for anything else (pgp, kms..., Shamir key groups, files that do not parse here):
    the caller then uses the sops binary, which also gives the proper error.
    """
    try:
        meta = _sops_block(_load(sops_text, "-"))
    except SopsError:
        return False
    return meta is not None and _handles(meta)


def can_encrypt(recipients: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """True when every recipient is an age X25519 key (the shape ``Sops.encrypt`` takes)."""
    keys = [key for kind, group in recipients for key in group if kind == "age"]
    if not keys or any(kind != "age" for kind, _ in recipients):
        return False
    try:
        _recipients(tuple(keys), "-")
    except SopsError:
        return False
    return True


# --- Identities (age/keysource.go, loadIdentities) -----------------------------------------


@dataclass(frozen=True)
class Identities:
    """The age identities sops would use, as far as this module can use them.

    ``unread`` names the sources sops would also try that only the binary can use
    (``SOPS_AGE_KEY_CMD``, plugin and post-quantum keys, passphrase-protected files);
    ``problems`` says which sources failed (no key material in the text).
    """

    keys: tuple[_Identity, ...] = ()
    public: frozenset[str] = frozenset()
    unread: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unread


@dataclass
class _Found:
    keys: list[_Identity] = field(default_factory=list)
    public: set[str] = field(default_factory=set)
    unread: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def identities_from_environment(environ: Mapping[str, str], platform: str = sys.platform) -> Identities:
    """The identities of sops's lookup: SSH keys, ``SOPS_AGE_KEY``, ``SOPS_AGE_KEY_FILE``,
    ``SOPS_AGE_KEY_CMD`` (left to the binary) and ``<user config dir>/sops/age/keys.txt``,
    all of them (not the first that exists), as ``loadIdentities`` does."""
    found = _Found()
    _ssh_identities(environ, platform, found)
    if "SOPS_AGE_KEY" in environ:
        _add_identities(found, "SOPS_AGE_KEY", environ["SOPS_AGE_KEY"], words=True)
    if "SOPS_AGE_KEY_FILE" in environ:
        _add_file(found, "SOPS_AGE_KEY_FILE", Path(environ["SOPS_AGE_KEY_FILE"]), missing_ok=False)
    if "SOPS_AGE_KEY_CMD" in environ:
        found.unread.append("SOPS_AGE_KEY_CMD")
    config = _user_config_dir(environ, platform)
    if config is not None:
        path = config / "sops" / "age" / "keys.txt"
        _add_file(found, str(path), path, missing_ok=True)
    return Identities(tuple(found.keys), frozenset(found.public), tuple(found.unread), tuple(found.problems))


def _user_config_dir(environ: Mapping[str, str], platform: str) -> Path | None:
    """Go's ``os.UserConfigDir``, with sops's ``XDG_CONFIG_HOME`` override on macOS."""
    xdg, home = environ.get("XDG_CONFIG_HOME", ""), environ.get("HOME", "")
    if platform == "win32":
        return Path(environ["APPDATA"]) if environ.get("APPDATA") else None
    if platform == "darwin":
        return Path(xdg) if xdg else Path(home, "Library", "Application Support") if home else None
    if xdg:
        return Path(xdg) if os.path.isabs(xdg) else None
    return Path(home, ".config") if home else None


def _ssh_identities(environ: Mapping[str, str], platform: str, found: _Found) -> None:
    """``loadAgeSSHIdentities``: the key file variable, the command (binary only), ~/.ssh."""
    if "SOPS_AGE_SSH_PRIVATE_KEY_CMD" in environ:
        found.unread.append("SOPS_AGE_SSH_PRIVATE_KEY_CMD")
    paths = (
        [Path(environ["SOPS_AGE_SSH_PRIVATE_KEY_FILE"])] if "SOPS_AGE_SSH_PRIVATE_KEY_FILE" in environ else []
    )
    home = environ.get("USERPROFILE" if platform == "win32" else "HOME", "")
    if home:
        paths += [p for p in (Path(home, ".ssh", "id_ed25519"), Path(home, ".ssh", "id_rsa")) if p.exists()]
    for path in paths:
        try:
            found.keys.append(pyrage.ssh.Identity.from_buffer(path.read_bytes()))
        except OSError as error:
            found.problems.append(f"{path}: {error.strerror}")
        except pyrage.IdentityError:
            found.unread.append(str(path))  # passphrase-protected: sops asks for it


def _add_file(found: _Found, location: str, path: Path, missing_ok: bool) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if not missing_ok:
            found.problems.append(f"{location}: no file {path}")
    except OSError as error:
        found.problems.append(f"{location}: {error.strerror}")
    except UnicodeDecodeError:
        found.problems.append(f"{location}: not a text file")
    else:
        _add_identities(found, location, text, words=False)


def _add_identities(found: _Found, location: str, text: str, words: bool) -> None:
    """``unwrapIdentities``/``parseIdentities``: one bad line discards the whole source."""
    if text.startswith(("age-encryption", "-----BEGIN AGE")):
        found.unread.append(location)  # an identity file encrypted with a passphrase
        return
    lines = (line[:-1] if line.endswith("\r") else line for line in text.split("\n"))
    tokens = [
        t for line in lines if line and not line.startswith("#") for t in (line.split() if words else [line])
    ]
    keys: list[pyrage.x25519.Identity] = []
    for token in tokens:
        if token.startswith(("AGE-PLUGIN-", "AGE-SECRET-KEY-PQ-1")):
            found.unread.append(location)
            continue
        try:
            if not token.startswith("AGE-SECRET-KEY-1"):
                raise pyrage.IdentityError
            keys.append(pyrage.x25519.Identity.from_str(token))
        except pyrage.IdentityError:
            found.problems.append(f"{location}: not a list of age identities")
            return
    found.keys += keys
    found.public.update(str(key.to_public()) for key in keys)


# --- Encrypt and decrypt ------------------------------------------------------------------


def _recipients(recipients: tuple[str, ...], name: str) -> list[tuple[str, pyrage.x25519.Recipient]]:
    parsed = []
    for recipient in (r.strip() for r in recipients):
        try:
            if recipient.startswith("age1pq1") or recipient.count("1") != 1:
                raise pyrage.RecipientError  # post-quantum and plugin recipients: the binary's
            parsed.append((recipient, pyrage.x25519.Recipient.from_str(recipient)))
        except pyrage.RecipientError:
            raise SopsError(f"{name}: {recipient!r} is not an age X25519 recipient") from None
    if not parsed:
        raise SopsError(f"{name}: no age recipient to encrypt it to")
    return parsed


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
    keys = _recipients(recipients, name)
    document = _load(plaintext_yaml, name)
    if not isinstance(document, dict):
        raise SopsError(f"{name}: it is not a YAML mapping, which sops needs")
    if "sops" in document:
        raise SopsError(f"{name}: it has a top-level sops key: it is encrypted already")
    rules = _Rules("encrypted_regex", encrypted_regex) if encrypted_regex else _Rules()
    data_key = os.urandom(32)
    aes, mac = AESGCM(data_key), hashlib.sha512()

    def leaf(value: Any, path: tuple[str, ...]) -> Any:
        mac.update(_to_bytes(value))
        return _seal(value, aes, _aad(path)) if rules.encrypts(path) else value

    try:
        sealed = _walk(document, (), leaf)
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        age = [
            {"recipient": r, "enc": _Literal(pyrage.encrypt(data_key, [k], armored=True).decode())}
            for r, k in keys
        ]
        meta: dict[str, Any] = {"age": age, "lastmodified": now}
        meta |= {"mac": _seal(mac.hexdigest().upper(), aes, now.encode()), rules.kind: rules.value}
        return _emit({**sealed, "sops": {**meta, "version": FORMAT_VERSION}})
    except _Rejected as error:
        raise Unsupported(f"{name}: {error}") from None


def decrypt(sops_text: str | bytes, identities: Identities, *, name: str = "<input>") -> dict[str, Any]:
    """The plaintext mapping of a SOPS YAML file (without ``sops``), its MAC verified.

    Raises ``NoKeyError`` when no identity opens it, ``Unsupported`` (or a false
    ``can_handle``) when only the sops binary can read it.
    """
    document = _load(sops_text, name)
    block = _sops_block(document)
    if block is None:
        raise SopsError(f"{name}: it is not a sops-encrypted file")
    if not _handles(block):
        raise Unsupported(f"{name}: its keys are not only age keys; only the sops binary decrypts it")
    meta = _metadata(block, name)
    aes = AESGCM(_data_key(meta, identities, name))
    tree = {key: value for key, value in document.items() if key != "sops"}
    mac = hashlib.sha512(_MAC_ONLY_ENCRYPTED_PREFIX if meta.mac_only_encrypted else b"")

    def leaf(value: Any, path: tuple[str, ...]) -> Any:
        encrypted = meta.rules.encrypts(path)
        if encrypted:
            value = _open(value, aes, _aad(path)) if isinstance(value, str) else _tamper()
        if encrypted or not meta.mac_only_encrypted:
            mac.update(_to_bytes(value))
        return value

    try:
        plain = _walk(tree, (), leaf)
        if _open(meta.mac, aes, meta.lastmodified.encode()) != mac.hexdigest().upper():
            raise _Tampered
    except _Tampered:
        raise _mac_error(name) from None
    except _Rejected as error:
        raise Unsupported(f"{name}: {error}") from None
    result: dict[str, Any] = _plain(plain)
    return result


def _tamper() -> Any:
    raise _Tampered


def _data_key(meta: _Metadata, identities: Identities, name: str) -> bytes:
    """The data key from the first age entry an identity opens (ours first, by recipient)."""
    entries = sorted(meta.age, key=lambda entry: entry[0].strip() not in identities.public)
    for _, enc in entries:
        if not identities.keys:
            break
        try:
            key: bytes = pyrage.decrypt(enc.encode("utf-8"), list(identities.keys))
        except (pyrage.DecryptError, ValueError, TypeError):
            continue
        if len(key) in (16, 24, 32):
            return key
    problems = "".join(f"; {problem}" for problem in identities.problems)
    raise NoKeyError(
        f"{name}: no key to decrypt it (set SOPS_AGE_KEY_FILE or another sops key source){problems}"
    )
