"""The in-process SOPS (``sops_age``) against the real sops binary, both ways.

Files ``sops_age.encrypt`` writes must decrypt with ``sops decrypt`` (MAC verified) to the
exact values; files ``sops encrypt`` writes (every encryption rule, nested data, numbers,
booleans, times, comments) must decrypt here to what ``sops decrypt`` prints; tampering
and wrong keys must fail in both, with messages that hold no plaintext.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import KEYS, public_key
from hypothesis import given, settings
from hypothesis import strategies as st

from aigonix_render.foundation.errors import SopsError
from aigonix_render.seal import age as sops_age
from aigonix_render.seal.sops import find_sops

MAC_MESSAGE = "{}: the file does not verify (MAC mismatch): it was changed without sops"
NO_KEY_MESSAGE = "{}: no key to decrypt it (set SOPS_AGE_KEY_FILE or another sops key source)"

HOSTILE = [
    "plain",
    "",
    " ",
    "  leading and trailing  ",
    "it's",
    'say "hi"',
    "back\\slash \\n",
    "$HOME ${VAR} $(rm -rf /) `id` %s {0}",
    "new\nline",
    "trailing newline\n",
    "\n",
    "crlf\r\n",
    "tab\there",
    "unicode ☃ é 日本語 😀",
    "\u2028line\u2029sep",
    "\x85nel",
    "\ufeffbom",
    "nul\x00bell\x07esc\x1bdel\x7f",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "NULL",
    "0x1",
    "0o17",
    "017",
    "1_000",
    "08",
    "+5",
    "-0",
    "1e3",
    "1.0",
    ".5",
    ".inf",
    "-.inf",
    ".nan",
    "2001-12-14",
    "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.10",
    "1:20",
    "<<",
    "- item",
    "key: value",
    "# comment",
    "a #b",
    "a: ",
    "&anchor",
    "*alias",
    "!tag",
    "!!str",
    "%YAML",
    "@at",
    "`tick",
    "[1, 2]",
    "{a: b}",
    ",",
    "---",
    "...",
    "--- x",
    "|",
    ">-",
    "?",
    "? x",
    ":",
    "-",
    "ENC[AES256_GCM,data:eA==,iv:eA==,tag:eA==,type:str]",
    "x" * 3000,
]

RICH = """\
# a comment at the top
apiVersion: v1
name_unencrypted: visible
token_enc: secret-token
password: hunter2
data:
    key: dmFsdWU=
    number: 42
    negative: -7
    big: 9223372036854775807
    float: 3.25
    exp: 1.5e-7
    whole: 100.0
    flag: true
    "off": false
    empty: ""
    nothing: null
    when: 2001-12-14T21:59:43.10-05:00
    date: 2002-12-14
    octal: 017
    octal12: 0o17
    hex: 0x1F
    under: 1_000
    word: yes
    # a comment inside
    nested:
        deeper:
            list: [1, two, 3.5, false, null, {x: y}, [a, b]]
    items:
        - name: one
          value: "1"
        - name: two
          value_unencrypted: plain
public:
    description: not secret   # an inline comment
    count: 3
    list_enc: [a, b]
    stamp: 2001-12-14 21:59:43.10
quirks:
    tzless: 2001-12-14T21:59:43
    lower_t: 2001-12-14t21:59:43Z
    short_date: 2001-1-2
    bad_date: 2001-02-30
    leap: 2000-02-29
    utc_offset: 2001-12-14T21:59:43+00:00
    odd_offset: 2001-12-14T21:59:43-09:30
    nanos: 2001-12-14T21:59:43.123456789123Z
    comma: 2001-12-14 1:2:3,5
    hex_upper: 0X1f
    bin: 0b101
    neg_octal: -0o17
    legacy_bad: 08
    legacy_float: 09.5
    plus: +5
    dot: .5
    dot_under: .5_0
    exp: 1e3
    big_neg: -9223372036854775809
    huge: 1e400
    sexagesimal: 1:20
    on: on
    y: y
    tilde: ~
    empty:
    tag_int: !!int "7"
    tag_float: !!float 1
    tag_str: !!str 5
    anchor: &shared {k: v}
    alias: *shared
"""


# --- Helpers ------------------------------------------------------------------------------


def _key_file(*names: str, folder: Path) -> Path:
    path = folder / ("-".join(names) + ".agekey")
    path.write_text("".join((KEYS / f"{name}.agekey").read_text() for name in names))
    return path


def _sops_env(key: Path | None, home: Path) -> dict[str, str]:
    """The environment of the real sops: only ``key`` (no SOPS_* variable, an empty home)."""
    skip = ("SOPS_", "XDG_CONFIG_HOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env["HOME"] = str(home)
    if key is not None:
        env["SOPS_AGE_KEY_FILE"] = str(key)
    return env


def _sops(
    args: list[str], stdin: str, key: Path | None, home: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [find_sops(), *args]
    return subprocess.run(
        argv, input=stdin, capture_output=True, text=True, env=_sops_env(key, home), cwd=cwd, check=False
    )


def sops_json(text: str, key: Path, home: Path) -> dict[str, Any]:
    """What the real sops decrypts ``text`` to (``--output-type json``)."""
    result = _sops(
        ["decrypt", "--input-type", "yaml", "--output-type", "json", "/dev/stdin"], text, key, home
    )
    assert result.returncode == 0, f"the real sops could not decrypt it: {result.stderr}"
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def sops_fails(text: str, key: Path, home: Path) -> str:
    result = _sops(
        ["decrypt", "--input-type", "yaml", "--output-type", "json", "/dev/stdin"], text, key, home
    )
    assert result.returncode != 0, "the real sops decrypted a file it should refuse"
    return result.stderr


def sops_encrypt(text: str, recipients: list[str], flags: list[str], home: Path) -> str:
    args = ["encrypt", "--input-type", "yaml", "--output-type", "yaml", "--age", ",".join(recipients), *flags]
    result = _sops([*args, "/dev/stdin"], text, None, home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def identities(*names: str, folder: Path) -> sops_age.Identities:
    return sops_age.identities_from_environment({"SOPS_AGE_KEY_FILE": str(_key_file(*names, folder=folder))})


def typed(value: Any) -> Any:
    """``value`` with its JSON kind, so True never equals 1 and "1" never equals 1."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    # Go's JSON prints a float's shortest digits, so -2**63 as a float reads back as the int
    # -9223372036854776000: decimals compare them by value, and ints exactly.
    return ("number", Decimal(repr(value)) if isinstance(value, float) else Decimal(value))


def quoted_yaml(document: Any) -> str:
    """``document`` as YAML with every scalar double-quoted: strings stay strings for any reader."""
    text: str = yaml.safe_dump(document, default_style='"', sort_keys=True, allow_unicode=True, width=10**9)
    return text


def secret(string_data: dict[str, Any], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "test", "namespace": "default"}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "stringData": string_data,
        "type": "Opaque",
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def dev(tmp_path: Path) -> Path:
    return _key_file("dev", folder=tmp_path)


# --- (1) Our files, the real sops ---------------------------------------------------------


def test_hostile_values_and_keys_decrypt_exactly_with_sops(dev: Path, home: Path) -> None:
    keys = {value: f"v{i}" for i, value in enumerate(HOSTILE) if len(value) < 1000}
    document = secret(
        {f"k{i:03d}": value for i, value in enumerate(HOSTILE)} | {"z": keys},
        {f"a{i:03d}": value for i, value in enumerate(HOSTILE)},
    )
    document["stringData\n"] = {"clear": "Go's $ is the end of the text"}
    sealed = sops_age.encrypt(quoted_yaml(document), (public_key("dev"),), name="hostile.yaml")
    assert sops_json(sealed, dev, home) == document
    assert yaml.safe_load(sealed)["stringData\n"] == {"clear": "Go's $ is the end of the text"}
    assert all(
        v.startswith("ENC[") or v == ""
        for v in yaml.safe_load(sealed)["stringData"].values()
        if isinstance(v, str)
    )


def test_random_strings_as_keys_and_clear_values_read_the_same_in_sops(dev: Path, home: Path) -> None:
    """The writer's quoting against Go's YAML reader: unencrypted values and keys are exact."""
    alphabet = list(" :#-?'\"\\\n\t\r.e+_[]{},&*!|>%@`~yn0x1oé☃\u2028\x85\ufeff\x00\x7f<=/")
    rng = random.Random(20251128)
    words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7))) for _ in range(400)}
    annotations = {f"a{i:03d}": word for i, word in enumerate(sorted(words))}
    document = secret({word: "x" for word in sorted(words)}, annotations)
    sealed = sops_age.encrypt(quoted_yaml(document), (public_key("dev"),), name="random.yaml")
    assert sops_json(sealed, dev, home) == document


def test_typed_plaintext_is_read_as_sops_reads_it(dev: Path, home: Path) -> None:
    """Unquoted YAML is typed as sops types it (``017`` is 15, ``yes`` a string), encrypted or not."""
    plaintext = RICH.replace("\n    stamp: 2001-12-14 21:59:43.10\n", "\n")
    ours = sops_age.encrypt(plaintext, (public_key("dev"),), "", name="rich.yaml")
    theirs = sops_encrypt(plaintext, [public_key("dev")], [], home)
    assert typed(sops_json(ours, dev, home)) == typed(sops_json(theirs, dev, home))
    assert sops_json(ours, dev, home)["data"]["octal"] == 15


def test_the_output_has_the_binary_layout(home: Path) -> None:
    """Same lines as ``sops encrypt`` but for the random parts (ciphertexts, data keys, time)."""
    plaintext = quoted_yaml(secret({"a": "b", "n": "c"}, {"x": "yes", "y": "- a"}))
    ours = sops_age.encrypt(plaintext, (public_key("dev"), public_key("prod")), name="s.yaml")
    flags = ["--encrypted-regex", sops_age.ENCRYPTED_REGEX]
    theirs = sops_encrypt(plaintext, [public_key("dev"), public_key("prod")], flags, home)

    def shape(text: str) -> list[str]:
        text = re.sub(r"ENC\[[^\]]*\]|\d{4}-\d\d-\d\dT[\d:]+Z", "*", text)
        lines = [re.sub(r"^( +)[A-Za-z0-9+/=]+$", r"\1*", line) for line in text.splitlines()]
        return [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]  # armor lengths vary

    assert shape(ours) == shape(theirs)


# --- (2) The real sops's files, decrypted here ----------------------------------------------


SOPS_RULES = {
    "default": [],
    "encrypted-regex": ["--encrypted-regex", "^(data|password)$"],
    "unencrypted-suffix": ["--unencrypted-suffix", "_unencrypted"],
    "encrypted-suffix": ["--encrypted-suffix", "_enc"],
    "unencrypted-regex": ["--unencrypted-regex", "^(public|apiVersion|description)$"],
    "unanchored-regex": ["--encrypted-regex", "ass|ta$"],
}


@pytest.mark.parametrize("rule", sorted(SOPS_RULES))
def test_decrypts_what_the_binary_encrypts(rule: str, dev: Path, home: Path, tmp_path: Path) -> None:
    sealed = sops_encrypt(RICH, [public_key("dev")], SOPS_RULES[rule], home)
    assert sops_age.can_handle(sealed)
    ours = sops_age.decrypt(sealed, identities("dev", folder=tmp_path), name="rich.yaml")
    assert typed(ours) == typed(sops_json(sealed, dev, home))
    assert ours["data"]["when"] == "2001-12-14T21:59:43.1-05:00"


def test_decrypts_a_mac_only_encrypted_file(dev: Path, home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    rule = {"age": public_key("dev"), "encrypted_regex": "^data$", "mac_only_encrypted": True}
    (folder / ".sops.yaml").write_text(yaml.safe_dump({"creation_rules": [rule]}))
    (folder / "rich.yaml").write_text(RICH)
    result = _sops(["encrypt", "rich.yaml"], "", None, home, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "mac_only_encrypted: true" in result.stdout
    ours = sops_age.decrypt(result.stdout, identities("dev", folder=tmp_path), name="rich.yaml")
    assert typed(ours) == typed(sops_json(result.stdout, dev, home))
    changed = result.stdout.replace("description: not secret", "description: changed")
    assert typed(sops_age.decrypt(changed, identities("dev", folder=tmp_path), name="r"))["public"][
        "description"
    ] == ("str", "changed")


# --- (3) Tampering ------------------------------------------------------------------------


def _set_field(path: str, value: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = document
        for part in parents:
            node = node[part]
        node[last] = value(node.get(last))

    return change


def _flip(enc: str) -> str:
    data = enc.split("data:")[1]
    return enc.replace("data:" + data[0], "data:" + ("B" if data[0] == "A" else "A"), 1)


def _swap(document: dict[str, Any]) -> None:
    values = document["stringData"]
    values["password"], values["token"] = values["token"], values["password"]


def _other_time(document: dict[str, Any]) -> None:
    document["sops"]["lastmodified"] = "2020-01-01T00:00:00Z"


TAMPERING: dict[str, Callable[[dict[str, Any]], None]] = {
    "value changed": _set_field("stringData.password", _flip),
    "values swapped": _swap,
    "clear value changed": _set_field("metadata.name", lambda _: "renamed"),
    "value removed": lambda document: document["stringData"].pop("token"),
    "value added in the clear": _set_field("stringData.extra", lambda _: "hunter3"),
    "value emptied": _set_field("stringData.token", lambda _: ""),
    "mac changed": _set_field("sops.mac", _flip),
    "mac removed": _set_field("sops.mac", lambda _: ""),
    "lastmodified changed": _other_time,
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_fails_the_mac_without_plaintext(case: str, dev: Path, home: Path, tmp_path: Path) -> None:
    values = {"password": "hunter2-very-secret", "token": "tok-0123456789"}
    sealed = sops_age.encrypt(quoted_yaml(secret(values)), (public_key("dev"),), name="t.yaml")
    document = yaml.safe_load(sealed)
    TAMPERING[case](document)
    tampered = yaml.safe_dump(document, sort_keys=False)
    sops_fails(tampered, dev, home)
    with pytest.raises(SopsError) as raised:
        sops_age.decrypt(tampered, identities("dev", folder=tmp_path), name="secrets/t.yaml")
    assert str(raised.value) == MAC_MESSAGE.format("secrets/t.yaml")


def test_a_binary_file_tampered_fails_the_same(dev: Path, home: Path, tmp_path: Path) -> None:
    sealed = sops_encrypt(RICH, [public_key("dev")], [], home)
    tampered = sealed.replace("description_unencrypted", "x").replace(
        "name_unencrypted: visible", "name_unencrypted: seen"
    )
    sops_fails(tampered, dev, home)
    with pytest.raises(SopsError, match=re.escape(MAC_MESSAGE.format("rich.yaml"))) as raised:
        sops_age.decrypt(tampered, identities("dev", folder=tmp_path), name="rich.yaml")
    assert "hunter2" not in str(raised.value) and "visible" not in str(raised.value)


# --- (4) Keys -----------------------------------------------------------------------------


def test_a_wrong_key_is_the_no_key_error(home: Path, tmp_path: Path) -> None:
    sealed = sops_age.encrypt(
        quoted_yaml(secret({"password": "hunter2"})), (public_key("dev"),), name="w.yaml"
    )
    other = _key_file("other", folder=tmp_path)
    sops_fails(sealed, other, home)
    with pytest.raises(sops_age.NoKeyError) as raised:
        sops_age.decrypt(sealed, identities("other", folder=tmp_path), name="w.yaml")
    assert str(raised.value) == NO_KEY_MESSAGE.format("w.yaml")
    with pytest.raises(sops_age.NoKeyError):
        sops_age.decrypt(sealed, sops_age.Identities(), name="w.yaml")


@pytest.mark.parametrize("reader", ["dev", "prod"])
def test_several_recipients_decrypt_with_either_key(reader: str, home: Path, tmp_path: Path) -> None:
    recipients = (public_key("dev"), public_key("prod"))
    document = secret({"password": "hunter2"})
    ours = sops_age.encrypt(quoted_yaml(document), recipients, name="m.yaml")
    theirs = sops_encrypt(
        quoted_yaml(document), list(recipients), ["--encrypted-regex", sops_age.ENCRYPTED_REGEX], home
    )
    assert [entry["recipient"] for entry in yaml.safe_load(ours)["sops"]["age"]] == list(recipients)
    key = _key_file(reader, folder=tmp_path)
    assert sops_json(ours, key, home) == document
    assert sops_age.decrypt(ours, identities(reader, folder=tmp_path), name="m.yaml") == document
    assert sops_age.decrypt(theirs, identities(reader, folder=tmp_path), name="m.yaml") == document


# --- (5) Re-serialization (kustomize) -------------------------------------------------------


def test_survives_re_serialization_with_sorted_keys(dev: Path, home: Path, tmp_path: Path) -> None:
    document = secret(
        {key: value for key, value in zip("abcdefghijklmnopqrstuvwxyz", HOSTILE, strict=False)}, {"note": "x"}
    )
    sealed = sops_age.encrypt(quoted_yaml(document), (public_key("dev"),), name="k.yaml")
    resorted = yaml.safe_dump(yaml.safe_load(sealed), sort_keys=True)
    assert resorted != sealed
    assert sops_json(resorted, dev, home) == document
    assert sops_age.decrypt(resorted, identities("dev", folder=tmp_path), name="k.yaml") == document


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_survives_kubectl_kustomize(dev: Path, home: Path, tmp_path: Path) -> None:
    document = secret(
        {f"k{i:03d}": value for i, value in enumerate(HOSTILE)}, {"a": "0o17", "b": "1e3", "c": "yes"}
    )
    folder = tmp_path / "kustomize"
    folder.mkdir()
    (folder / "secret.yaml").write_text(
        sops_age.encrypt(quoted_yaml(document), (public_key("dev"),), name="s")
    )
    (folder / "kustomization.yaml").write_text("resources:\n  - secret.yaml\n")
    result = subprocess.run(
        ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert sops_json(result.stdout, dev, home) == document
    assert sops_age.decrypt(result.stdout, identities("dev", folder=tmp_path), name="s") == document


# --- Round trips of arbitrary data ----------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_LEAF = _TEXT | st.integers(-(2**63), 2**63 - 1) | st.booleans() | st.none() | st.floats(allow_nan=False)
_TREE = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(_TEXT, _TREE, max_size=5), regex=st.sampled_from(["", "^data$", "a", "_x$"]))
def test_round_trip(data: dict[str, Any], regex: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    document = {key: value for key, value in data.items() if key != "sops"}
    plaintext = yaml.safe_dump(document, default_style='"', allow_unicode=True, sort_keys=False)
    sealed = sops_age.encrypt(plaintext, (public_key("dev"),), regex, name="p.yaml")
    folder = tmp_path_factory.mktemp("keys")
    assert typed(sops_age.decrypt(sealed, identities("dev", folder=folder), name="p.yaml")) == typed(document)


def test_numbers_times_and_bools_round_trip(dev: Path, home: Path, tmp_path: Path) -> None:
    plaintext = "data:\n  i: -9223372036854775808\n  f: 1e21\n  z: -0.0\n  s: 5e-324\n  b: false\n  t: 2001-2-3t04:05:06.123456789123Z\n"
    plaintext += "clear:\n  f: 1e21\n  z: -0.0\n  t: 2001-2-3 4:5:6\n"
    sealed = sops_age.encrypt(plaintext, (public_key("dev"),), "^data$", name="n.yaml")
    expected = {
        "data": {
            "i": -(2**63),
            "f": 1e21,
            "z": -0.0,
            "s": 5e-324,
            "b": False,
            "t": "2001-02-03T04:05:06.123456789Z",
        },
        "clear": {"f": 1e21, "z": -0.0, "t": "2001-02-03T04:05:06Z"},
    }
    assert typed(sops_age.decrypt(sealed, identities("dev", folder=tmp_path), name="n.yaml")) == typed(
        expected
    )
    assert typed(sops_json(sealed, dev, home)) == typed(expected)


# --- Identities, capabilities, refusals -------------------------------------------------------


def _identity_line(name: str) -> str:
    return next(
        line
        for line in (KEYS / f"{name}.agekey").read_text().splitlines()
        if line.startswith("AGE-SECRET-KEY-")
    )


def test_identities_follow_the_sops_lookup(tmp_path: Path) -> None:
    dev, prod, other = (_identity_line(name) for name in ("dev", "prod", "other"))
    key_file = tmp_path / "file.agekey"
    key_file.write_text(f"# comment\r\n\r\n{prod}\r\n")
    config = tmp_path / "xdg" / "sops" / "age"
    config.mkdir(parents=True)
    (config / "keys.txt").write_text(other + "\n")
    environ = {
        "SOPS_AGE_KEY": f"{dev}  {dev}",
        "SOPS_AGE_KEY_FILE": str(key_file),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    found = sops_age.identities_from_environment(environ, platform="linux")
    assert found.public == {public_key("dev"), public_key("prod"), public_key("other")}
    assert len(found.keys) == 4 and found.complete and not found.problems
    home_config = tmp_path / "home" / ".config" / "sops" / "age"
    home_config.mkdir(parents=True)
    (home_config / "keys.txt").write_text(dev)
    assert sops_age.identities_from_environment({"HOME": str(tmp_path / "home")}).public == {
        public_key("dev")
    }
    assert sops_age.identities_from_environment({}).keys == ()


def test_identities_the_binary_must_read_make_the_lookup_incomplete(tmp_path: Path) -> None:
    broken = tmp_path / "broken.agekey"
    broken.write_text(f"{_identity_line('dev')}\nnot a key\n")
    found = sops_age.identities_from_environment(
        {
            "SOPS_AGE_KEY_CMD": "pass show age",
            "SOPS_AGE_KEY": "AGE-PLUGIN-YUBIKEY-1QQQQQQ",
            "SOPS_AGE_KEY_FILE": str(broken),
        }
    )
    assert not found.keys and not found.complete
    assert set(found.unread) == {"SOPS_AGE_KEY_CMD", "SOPS_AGE_KEY"}
    assert found.problems == ("SOPS_AGE_KEY_FILE: not a list of age identities",)
    assert _identity_line("dev") not in repr(found.problems)
    missing = sops_age.identities_from_environment({"SOPS_AGE_KEY_FILE": str(tmp_path / "none")})
    assert missing.problems and missing.complete
    sealed = sops_age.encrypt("data: {a: b}\n", (public_key("dev"),), name="x")
    with pytest.raises(sops_age.NoKeyError, match="no file"):
        sops_age.decrypt(sealed, missing, name="x")


def test_can_handle_only_age_only_files(home: Path) -> None:
    sealed = sops_age.encrypt("data: {a: b}\n", (public_key("dev"),), name="x")
    assert sops_age.can_handle(sealed) and sops_age.can_handle(sealed.encode())
    document = yaml.safe_load(sealed)
    with_pgp = {
        **document,
        "sops": {
            **document["sops"],
            "pgp": [{"fp": "ABCD", "enc": "x", "created_at": "2020-01-01T00:00:00Z"}],
        },
    }
    age = document["sops"]["age"]
    groups = {k: v for k, v in document["sops"].items() if k != "age"} | {
        "key_groups": [{"age": age}, {"age": age}]
    }
    one_group = {k: v for k, v in document["sops"].items() if k != "age"} | {"key_groups": [{"age": age}]}
    comments = {**document["sops"], "encrypted_regex": None, "encrypted_comment_regex": "sops:enc"}
    assert not sops_age.can_handle(yaml.safe_dump(with_pgp))
    assert not sops_age.can_handle(yaml.safe_dump({**document, "sops": groups}))
    assert sops_age.can_handle(yaml.safe_dump({**document, "sops": one_group}))
    assert not sops_age.can_handle(yaml.safe_dump({**document, "sops": comments}))
    assert not sops_age.can_handle("a: b\n") and not sops_age.can_handle("{") and not sops_age.can_handle("")


def test_can_encrypt_only_to_age_x25519_keys() -> None:
    assert sops_age.can_encrypt((("age", (public_key("dev"), public_key("prod"))),))
    assert not sops_age.can_encrypt((("age", (public_key("dev"),)), ("pgp", ("ABCD",))))
    assert not sops_age.can_encrypt((("age", ("age1yubikey1qqqqqq",)),))
    assert not sops_age.can_encrypt((("age", ("ssh-ed25519 AAAA",)),)) and not sops_age.can_encrypt(())


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("a: b\n---\nc: d\n", sops_age.Unsupported, "more than one YAML document"),
        ("data: !!binary aGk=\n", sops_age.Unsupported, "explicit YAML tag"),
        ("data: 18446744073709551615\n", sops_age.Unsupported, "unsigned 64-bit"),
        ("a: 1\na: 2\n", sops_age.Unsupported, "duplicate key"),
        ("1: one\n", sops_age.Unsupported, "not a string"),
        (f"? {'k' * 1100}\n: v\n", sops_age.Unsupported, "longer than 1024"),
        ("- a\n", SopsError, "not a YAML mapping"),
        ("a: [\n", SopsError, "not valid YAML"),
        ("sops: {}\n", SopsError, "encrypted already"),
    ],
)
def test_refusals_name_the_file(text: str, error: type[SopsError], message: str) -> None:
    with pytest.raises(error, match=f"^in.yaml: .*{message}"):
        sops_age.encrypt(text, (public_key("dev"),), name="in.yaml")


def test_decrypt_refusals(tmp_path: Path) -> None:
    ids = identities("dev", folder=tmp_path)
    with pytest.raises(SopsError, match=r"^p\.yaml: it is not a sops-encrypted file$"):
        sops_age.decrypt("password: hunter2\n", ids, name="p.yaml")
    with pytest.raises(SopsError, match=r"^p\.yaml: it is not valid YAML") as raised:
        sops_age.decrypt("password: hunter2\n  bad: [\n", ids, name="p.yaml")
    assert "hunter2" not in str(raised.value)
    with pytest.raises(SopsError, match=r"^p\.yaml: .*recipient"):
        sops_age.encrypt("a: b\n", ("age1notakey",), name="p.yaml")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_ssh_keys_in_home_are_identities_as_in_sops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-C", "test", "-f"]
    subprocess.run([*keygen, str(home / ".ssh" / "id_ed25519"), "-N", ""], check=True)
    subprocess.run([*keygen, str(tmp_path / "locked"), "-N", "passphrase"], check=True)
    recipient = (home / ".ssh" / "id_ed25519.pub").read_text().strip()
    sealed = sops_encrypt(quoted_yaml(secret({"password": "hunter2"})), [recipient], [], home)
    assert sops_age.can_handle(sealed)
    found = sops_age.identities_from_environment({"HOME": str(home)})
    assert len(found.keys) == 1 and found.complete
    assert sops_age.decrypt(sealed, found, name="s") == sops_json(sealed, home / "none", home)
    locked = sops_age.identities_from_environment({"SOPS_AGE_SSH_PRIVATE_KEY_FILE": str(tmp_path / "locked")})
    assert not locked.keys and locked.unread == (str(tmp_path / "locked"),)


def test_a_multi_line_regex_with_a_newline_key_is_left_to_sops() -> None:
    with pytest.raises(sops_age.Unsupported, match="multi-line"):
        sops_age.encrypt('"x\\ndata": {a: b}\n', (public_key("dev"),), "(?m)^data$", name="m")
    assert "ENC[" in sops_age.encrypt('"x\\ndata": {a: b}\n', (public_key("dev"),), "data$", name="m")
