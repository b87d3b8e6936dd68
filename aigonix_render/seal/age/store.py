"""The YAML text of a SOPS file, read and written as sops does (``stores/yaml/store.go``).

Reading: libyaml's parser with yaml.v3's typing of plain scalars (``values.go_scalar``), one
document, string keys without duplicates, no explicit tags but the core ones. Writing:
yaml.v3's layout (indent 4, lists indented, the armored data keys as literal blocks), with a
string quoted wherever yaml.v3 or a YAML 1.1 reader (kustomize, PyYAML) would read it as
something else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import yaml

from aigonix_render.foundation import SopsError
from aigonix_render.seal.age.errors import Rejected, Unsupported
from aigonix_render.seal.age.values import Time, go_scalar

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
            raise Rejected("it has a key that is not a string, which sops cannot process")
        if key in result:
            raise Rejected("it has a duplicate key, which sops refuses")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    return [loader.construct_object(item, deep=True) for item in node.value]


def _construct_unknown(loader: _Loader, node: yaml.Node) -> Any:
    raise Rejected("it uses an explicit YAML tag this reader does not handle")


_TAGGED: dict[str, tuple[type[Any], ...]] = {
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "null": (type(None),),
    "timestamp": (Time,),
}


def _construct_tagged(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """``!!int "5"`` and the like: yaml.v3 resolves the text and requires the tag's type."""
    kind = node.tag.rsplit(":", 1)[1]
    value = go_scalar(node.value)
    if type(value) not in _TAGGED[kind]:
        raise Rejected(f"it has a !!{kind} value that is not one, which sops refuses")
    return float(value) if kind == "float" else value


_Loader.add_constructor(_PLAIN, lambda loader, node: go_scalar(node.value))
_Loader.add_constructor(_STR, lambda loader, node: node.value)
_Loader.add_constructor(_MAP, _construct_mapping)
_Loader.add_constructor(_SEQ, _construct_sequence)
_Loader.add_constructor(None, _construct_unknown)
for _kind in _TAGGED:
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _construct_tagged)


def load(text: str | bytes, name: str) -> Any:
    """The one YAML document of ``text`` (None when empty), typed as sops types it."""
    return load_with_block(text, name)[0]


def load_with_block(text: str | bytes, name: str) -> tuple[Any, yaml.MappingNode | None]:
    """``load``, and the node of the top-level ``sops:`` mapping (None when there is none)."""
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if node is not None and loader.check_node():
            raise Unsupported(
                f"{name}: it holds more than one YAML document; only the sops binary reads those"
            )
        document = None if node is None else loader.construct_document(node)
        return document, _sops_node(node)
    except Rejected as error:
        raise Unsupported(f"{name}: {error}") from None
    except yaml.MarkedYAMLError as error:
        line = f" (line {error.problem_mark.line + 1})" if error.problem_mark else ""
        raise SopsError(f"{name}: it is not valid YAML{line}") from None
    except yaml.YAMLError:
        raise SopsError(f"{name}: it is not valid YAML") from None
    finally:
        loader.dispose()


def _sops_node(node: yaml.Node | None) -> yaml.MappingNode | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    block = next((value for key, value in node.value if key.value == "sops"), None)
    return block if isinstance(block, yaml.MappingNode) else None


# --- Writing YAML as sops does (yaml.v3's layout: indent 4, lists indented) ----------------


class Literal(str):
    """A string written as a literal block (the armored data keys)."""


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9^$().+/=_;<~\\][ -~]*")
_OLD_BOOLS = frozenset(("y", "Y", "n", "N"))
_yaml11_tag: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x85": "\\N"}
_ESCAPES |= {"\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def emit(document: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _emit_mapping(document, 0, 4, lines)
    return "\n".join(lines) + "\n"


def _emit_mapping(mapping: Mapping[str, Any], column: int, child: int, lines: list[str]) -> None:
    for key, value in mapping.items():
        head = " " * column + _scalar(key) + ":"
        if len(head) - column > 1024:  # YAML's limit for a key without "? "
            raise Rejected("it has a key longer than 1024 characters")
        if isinstance(value, dict) and value:
            lines.append(head)
            _emit_mapping(value, child, child + 4, lines)
        elif isinstance(value, list) and value:
            lines.append(head)
            _emit_sequence(value, child, lines)
        elif isinstance(value, Literal):
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
    if isinstance(value, Time):
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
        typed = go_scalar(text)
    except Rejected:
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
