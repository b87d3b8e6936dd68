"""The document as a tree of values (``sops.go``): which are encrypted, and the MAC.

A rule (``encrypted_regex``, ``unencrypted_suffix``...) encrypts a leaf when it matches any
key on the leaf's path (``shouldBeEncrypted``); the rules' regexes are Go's RE2, used here
only where Python's ``re`` matches the same keys. The MAC is SHA-512 over the plaintext
bytes (``ToBytes``) of every leaf value, in document order, keys and nulls and comments not
included; with ``mac_only_encrypted`` only the encrypted leaves, after a fixed 32-byte
prefix (SHA-256 of ``sops``).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aigonix_render.foundation import record
from aigonix_render.seal.age.cipher import additional_data, open_value, seal_value
from aigonix_render.seal.age.errors import Rejected, Tampered
from aigonix_render.seal.age.values import Time, to_bytes

_MAC_ONLY_ENCRYPTED_PREFIX = hashlib.sha256(b"sops").digest()


@record
class Rules:
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
        raise Rejected("its encryption regex uses syntax on which Go and Python differ")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(_end_of_text(pattern), re.ASCII)
    except (re.error, FutureWarning, DeprecationWarning):
        raise Rejected("its encryption regex does not compile here") from None


def _end_of_text(pattern: str) -> str:
    """Each ``$`` outside a character class becomes ``\\Z`` (escapes and classes copied as they are)."""
    parts = re.findall(r"\\.|\[\^?\]?(?:\\.|[^\]])*\]|.", pattern, re.DOTALL)
    return "".join("\\Z" if part == "$" else part for part in parts)


def _regex_match(pattern: str, key: str) -> bool:
    """Go's ``regexp.Match``: unanchored, on the key."""
    if "\n" in key and _MULTILINE.search(pattern):
        raise Rejected("a key holds a newline and the regex is multi-line, where Go and Python differ")
    return _regex(pattern).search(key) is not None


def _walk(node: Any, path: tuple[str, ...], leaf: Callable[[Any, tuple[str, ...]], Any]) -> Any:
    """sops's tree walk: map keys extend the path, list items do not, nulls are skipped."""
    if isinstance(node, dict):
        return {key: _walk(value, (*path, key), leaf) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item, path, leaf) for item in node]
    return None if node is None else leaf(node, path)


def plain_tree(node: Any) -> Any:
    """A decrypted tree for callers: times become their RFC 3339 text (as ``sops decrypt`` prints)."""
    if isinstance(node, dict):
        return {key: plain_tree(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain_tree(item) for item in node]
    return node.text if isinstance(node, Time) else node


def seal_tree(document: dict[str, Any], rules: Rules, aes: AESGCM) -> tuple[dict[str, Any], str]:
    """The document with the leaves ``rules`` encrypt sealed, and its MAC (upper-case hex)."""
    mac = hashlib.sha512()

    def leaf(value: Any, path: tuple[str, ...]) -> Any:
        mac.update(to_bytes(value))
        return seal_value(value, aes, additional_data(path)) if rules.encrypts(path) else value

    sealed: dict[str, Any] = _walk(document, (), leaf)
    return sealed, mac.hexdigest().upper()


def open_tree(
    tree: dict[str, Any], rules: Rules, mac_only_encrypted: bool, aes: AESGCM
) -> tuple[dict[str, Any], str]:
    """The tree with the leaves ``rules`` encrypt opened, and its MAC (upper-case hex)."""
    mac = hashlib.sha512(_MAC_ONLY_ENCRYPTED_PREFIX if mac_only_encrypted else b"")

    def leaf(value: Any, path: tuple[str, ...]) -> Any:
        encrypted = rules.encrypts(path)
        if encrypted:
            value = open_value(value, aes, additional_data(path)) if isinstance(value, str) else _tamper()
        if encrypted or not mac_only_encrypted:
            mac.update(to_bytes(value))
        return value

    opened: dict[str, Any] = _walk(tree, (), leaf)
    return opened, mac.hexdigest().upper()


def _tamper() -> Any:
    raise Tampered
