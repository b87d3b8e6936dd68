"""A fast first read of YAML 1.2 files with libyaml, for the common case: valid input.

PyYAML's C parser with the YAML 1.2 core schema (so ``yes`` and ``on`` stay strings,
``0042`` is 42 and dates are strings) and duplicate keys refused. Anything unusual —
a syntax error, a duplicate key, a merge key, an unknown tag — returns None, and the
caller reads the file again with ruamel.yaml, which gives the positions for the error.
Positions of valid files are computed by ruamel only when a problem needs one.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Unusual(Exception):
    """The fast path does not handle this file; read it carefully instead."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
                raise _Unusual
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key in keys:
                raise _Unusual
            keys.add(key)
        return dict(super().construct_mapping(node, deep=True))


def _core_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _unknown_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    raise _Unusual


_RESOLVERS = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", "~nN"),
    "tag:yaml.org,2002:int": (r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
}
for _tag, (_pattern, _first) in _RESOLVERS.items():
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])
_Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _unknown_tag)
_Loader.add_multi_constructor("", _unknown_tag)


class TooDeep(Exception):
    """Nesting too deep for any reader; the careful one would only take longer to say so."""


def load_all(text: str) -> list[Any] | None:
    """The documents of ``text``, or None when the careful reader must take over."""
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except RecursionError:
        raise TooDeep from None
    except yaml.YAMLError as error:
        if "maximum nesting depth" in str(error):
            raise TooDeep from None
        return None
    except (_Unusual, ValueError):
        return None
