"""Metadata shapes of the ``sops:`` block: the in-process reader refuses what the sops binary refuses.

One table of shapes (each a change to the block of a valid file), each decrypted both by
``sops_age.decrypt`` and by the real ``sops decrypt``: both accept it or both refuse it. A
shape the in-process reader leaves to the binary (``can_handle`` false, ``Unsupported``)
agrees by construction: the binary is what then reads it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import KEYS, public_key

from aigonix_render.foundation.errors import SopsError
from aigonix_render.seal import age as sops_age
from aigonix_render.seal.sops import find_sops

PLAINTEXT = "data:\n    password: hunter2\nname: visible\n"
_ENC_BLOCK = re.compile(r"(          enc: \|\n(?:            .*\n)+)")


def _line(key: str, value: str | None) -> Callable[[str], str]:
    """Replace (or with None remove) the ``key:`` line of the sops block."""

    def change(text: str) -> str:
        pattern = re.compile(rf"^    {key}: .*\n", re.M)
        assert pattern.search(text), key
        return pattern.sub("" if value is None else f"    {key}: {value}\n", text, count=1)

    return change


def _add(line: str) -> Callable[[str], str]:
    return lambda text: text.replace("\n    version:", f"\n    {line}\n    version:", 1)


def _enc(replacement: str) -> Callable[[str], str]:
    return lambda text: _ENC_BLOCK.sub(replacement, text, count=1)


def _second_entry_without_enc(text: str) -> str:
    entry = f"        - recipient: {public_key('prod')}\n"
    return text.replace("    lastmodified:", entry.replace("    lastmodified:", "") + "    lastmodified:", 1)


def _mac_only_encrypted(value: str) -> Callable[[str], str]:
    return _add(f"mac_only_encrypted: {value}")


SHAPES: dict[str, Callable[[str], str]] = {
    "valid": lambda text: text,
    "version missing": _line("version", None),
    "version empty": _line("version", '""'),
    "version null": _line("version", "null"),
    "version two parts (a float)": _line("version", "3.11"),
    "version an integer": _line("version", "3"),
    "version with a v": _line("version", "v3.11.0"),
    "version quoted": _line("version", '"3.11.0"'),
    "version 1.x (sops 1)": _line("version", "1.x"),
    "version leading zero": _line("version", "03.11.0"),
    "version not numeric": _line("version", "3.11.x"),
    "version four parts": _line("version", "3.11.0.1"),
    "version pre-release": _line("version", "3.11.0-rc.1"),
    "version pre-release leading zero": _line("version", "3.11.0-rc.01"),
    "version build": _line("version", "3.11.0+build.5"),
    "version empty build": _line("version", "3.11.0+"),
    "version a mapping": _line("version", "{a: b}"),
    "version a list": _line("version", "[3.11.0]"),
    "lastmodified missing": _line("lastmodified", None),
    "lastmodified not a time": _line("lastmodified", "yesterday"),
    "lastmodified unquoted": lambda text: re.sub(r'lastmodified: "(.*)"', r"lastmodified: \1", text),
    "lastmodified a list": _line("lastmodified", "[]"),
    "mac missing": _line("mac", None),
    "mac a number": _line("mac", "5"),
    "mac a list": _line("mac", "[a]"),
    "mac a mapping": _line("mac", "{a: b}"),
    "mac null": _line("mac", "null"),
    "age entry without enc": _enc(""),
    "age entry enc empty": _enc('          enc: ""\n'),
    "age entry enc a number": _enc("          enc: 5\n"),
    "age entry enc a list": _enc("          enc: [a]\n"),
    "age entry a string": lambda text: text.replace(
        "        - recipient:", "        - x\n        - recipient:", 1
    ),
    "age entry without recipient": lambda text: re.sub(r"- recipient: .*\n          enc:", "- enc:", text),
    "a second age entry without enc": _second_entry_without_enc,
    "unknown key": _add("color: blue"),
    "hckms key (unknown to 3.11)": _add("hckms: [1]"),
    "mac_only_encrypted false": _mac_only_encrypted("false"),
    "mac_only_encrypted yes (YAML 1.1)": _mac_only_encrypted("yes"),
    "mac_only_encrypted quoted off": _mac_only_encrypted('"off"'),
    "mac_only_encrypted quoted false": _mac_only_encrypted('"false"'),
    "mac_only_encrypted 0": _mac_only_encrypted("0"),
    "mac_only_encrypted null": _mac_only_encrypted("null"),
    "mac_only_encrypted a list": _mac_only_encrypted("[]"),
    "shamir_threshold a word": _add("shamir_threshold: many"),
    "shamir_threshold 1": _add("shamir_threshold: 1"),
    "shamir_threshold a float": _add("shamir_threshold: 1.5"),
    "shamir_threshold true": _add("shamir_threshold: true"),
    "encrypted_regex a list": _line("encrypted_regex", "[a]"),
    "two encryption rules": _add("unencrypted_suffix: _clear"),
    "key_groups not a list": _add("key_groups: x"),
}


def _binary_accepts(text: str, key: Path, home: Path) -> bool:
    env = {"HOME": str(home), "SOPS_AGE_KEY_FILE": str(key), "PATH": "/usr/bin:/bin"}
    argv = [find_sops(), "decrypt", "--input-type", "yaml", "--output-type", "json", "/dev/stdin"]
    result = subprocess.run(argv, input=text, capture_output=True, text=True, env=env, check=False)
    return result.returncode == 0


def _in_process(text: str, key: Path) -> str:
    """accept, refuse, or binary (the in-process reader leaves the file to the sops binary)."""
    if not sops_age.can_handle(text):
        return "binary"
    identities = sops_age.identities_from_environment({"SOPS_AGE_KEY_FILE": str(key)})
    try:
        sops_age.decrypt(text, identities, name="s.yaml")
    except sops_age.Unsupported:
        return "binary"
    except SopsError as error:
        assert "hunter2" not in str(error)
        return "refuse"
    return "accept"


@pytest.fixture(scope="module")
def sealed() -> str:
    return sops_age.encrypt(PLAINTEXT, (public_key("dev"),), name="s.yaml")


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_in_process_and_binary_agree_on_the_metadata(shape: str, sealed: str, tmp_path: Path) -> None:
    text = SHAPES[shape](sealed)
    assert shape == "valid" or text != sealed
    home = tmp_path / "home"
    home.mkdir()
    key = KEYS / "dev.agekey"
    binary = "accept" if _binary_accepts(text, key, home) else "refuse"
    ours = _in_process(text, key)
    assert ours in (binary, "binary"), f"the binary would {binary}, the in-process reader would {ours}"


def test_the_table_holds_both_verdicts(sealed: str, tmp_path: Path) -> None:
    """The table is not one-sided: the in-process reader accepts some shapes and refuses others."""
    key = KEYS / "dev.agekey"
    verdicts = {_in_process(change(sealed), key) for change in SHAPES.values()}
    assert {"accept", "refuse"} <= verdicts
