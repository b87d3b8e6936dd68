"""age keys (``age/keysource.go``): the identities sops would use, and the data key.

The data key is age-encrypted to each recipient separately, ASCII-armored. The identities
come from the SSH keys, ``SOPS_AGE_KEY``, ``SOPS_AGE_KEY_FILE``, ``SOPS_AGE_KEY_CMD`` and the
user config dir's ``sops/age/keys.txt`` (``loadIdentities``); the sources only the binary
can use are named in ``Identities.unread``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import pyrage

from aigonix_render.foundation import SopsError, record
from aigonix_render.seal.age.errors import NoKeyError

_Identity: TypeAlias = "pyrage.x25519.Identity | pyrage.ssh.Identity"


@record
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
    """What looking for identities found: the keys, their recipients, what could not be
    read and the problems met."""

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
    config = user_config_dir(environ, platform)
    if config is not None:
        path = config / "sops" / "age" / "keys.txt"
        _add_file(found, str(path), path, missing_ok=True)
    return Identities(tuple(found.keys), frozenset(found.public), tuple(found.unread), tuple(found.problems))


def user_config_dir(environ: Mapping[str, str], platform: str) -> Path | None:
    """Go's ``os.UserConfigDir``, with sops's ``XDG_CONFIG_HOME`` override on macOS (sops
    reads ``<it>/sops/age/keys.txt``)."""
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


def parse_recipients(recipients: tuple[str, ...], name: str) -> list[tuple[str, pyrage.x25519.Recipient]]:
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


def wrap_data_key(data_key: bytes, recipient: pyrage.x25519.Recipient) -> str:
    """The data key age-encrypted to one recipient, ASCII-armored."""
    return pyrage.encrypt(data_key, [recipient], armored=True).decode()


def open_data_key(age: tuple[tuple[str, str], ...], identities: Identities, name: str) -> bytes:
    """The data key from the first ``(recipient, enc)`` an identity opens (ours first, by recipient)."""
    entries = sorted(age, key=lambda entry: entry[0].strip() not in identities.public)
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
