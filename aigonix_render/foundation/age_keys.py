"""A new age X25519 key pair, for ``init`` on a machine without ``age-keygen``.

X25519 is RFC 7748's Montgomery ladder; keys are encoded as age does (Bech32, hrp ``age``
for recipients, ``AGE-SECRET-KEY-`` for identities). The tests prove the pair against the
real sops: a file encrypted to the recipient decrypts with the identity.
"""

from __future__ import annotations

import re

from aigonix_render.foundation.records import record

# Where ``init`` keeps the key it generates, git-ignored, in the tree's root; ``render``
# and ``generate`` use it when no other age key is configured.
TREE_KEY_FILE = "age.agekey"

# An age X25519 recipient: "age1" and 58 Bech32 characters.
AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")

_P = 2**255 - 19
_A24 = 121665
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@record
class AgeKey:
    """An age identity (the secret key) and its recipient (the public key)."""

    identity: str
    recipient: str

    def file_text(self, note: str) -> str:
        return f"# {note}\n# public key: {self.recipient}\n{self.identity}\n"


def generate() -> AgeKey:
    import secrets  # here: every render loads this module (``TREE_KEY_FILE``), few make a key

    private = secrets.token_bytes(32)
    public = x25519(private, (9).to_bytes(32, "little"))
    return AgeKey(bech32("age-secret-key-", private).upper(), bech32("age", public))


def x25519(scalar: bytes, u_bytes: bytes) -> bytes:
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return _ladder(int.from_bytes(k, "little"), int.from_bytes(u_bytes, "little") % _P).to_bytes(32, "little")


def _ladder(k: int, u: int) -> int:
    x2, z2, x3, z3, swap = 1, 0, u, 1, 0
    for t in reversed(range(255)):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % _P, (x2 - z2) % _P
        c, d = (x3 + z3) % _P, (x3 - z3) % _P
        da, cb = d * a % _P, c * b % _P
        aa, bb = a * a % _P, b * b % _P
        e = (aa - bb) % _P
        x3, z3 = (da + cb) ** 2 % _P, u * (da - cb) ** 2 % _P
        x2, z2 = aa * bb % _P, e * (aa + _A24 * e) % _P
    if swap:
        x2, z2 = x3, z3
    return x2 * pow(z2, _P - 2, _P) % _P


def bech32(hrp: str, data: bytes) -> str:
    words = _to_words(data)
    checksum = _checksum(hrp, words)
    return hrp + "1" + "".join(_CHARSET[w] for w in words + checksum)


def _to_words(data: bytes) -> list[int]:
    accumulator, bits, words = 0, 0, []
    for byte in data:
        accumulator = (accumulator << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            words.append((accumulator >> bits) & 31)
    if bits:
        words.append((accumulator << (5 - bits)) & 31)
    return words


def _checksum(hrp: str, words: list[int]) -> list[int]:
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + words + [0] * 6
    polymod = _polymod(values) ^ 1
    return [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]


def _polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            checksum ^= generator if (top >> i) & 1 else 0
    return checksum
