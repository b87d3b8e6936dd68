"""Scalars as sops types them: ``resolve.go`` of go.yaml.in/yaml/v3, and Go's ``strconv``.

sops reads YAML with yaml.v3, which types an unquoted scalar its own way (``yes`` and ``on``
are strings, ``017`` and ``1_000`` are numbers, dates are times). The MAC hashes every
value's ``to_bytes`` (sops's ``ToBytes``), unencrypted values too, so a scalar typed
differently here is a file sops rejects: ``store`` reads YAML with ``go_scalar``, ``cipher``
types decrypted values with ``INT64``, ``GO_BOOLS`` and ``parse_rfc3339``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from aigonix_render.foundation import record
from aigonix_render.seal.age.errors import Rejected


@record
class Time:
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
# Go's int64 range and ``strconv.ParseBool``'s words: ``cipher`` types decrypted values by them.
INT64 = (-(2**63), 2**63 - 1)
GO_BOOLS = {**dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True)}
GO_BOOLS |= dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False)


def go_scalar(text: str) -> Any:
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
    if INT64[0] <= value <= INT64[1]:
        return value
    if sign == "" and value < 2**64:
        raise Rejected("it holds an unsigned 64-bit number, which sops cannot process")
    return None


def _go_timestamp(text: str) -> Time | None:
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
    return Time(_marshal_time(year, month, day, clock, offset), text)


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


def parse_rfc3339(text: str) -> tuple[str, str] | None:
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


def to_bytes(value: Any) -> bytes:
    """sops's ``ToBytes``: what the MAC hashes and what a value's ciphertext holds."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool):
        return b"True" if value else b"False"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return _go_float(value).encode()
    if isinstance(value, Time):
        return value.text.encode()
    if isinstance(value, bytes):
        return value
    raise Rejected(f"it holds a value of type {type(value).__name__}, which sops cannot process")
