"""A dump's YAML → plain data, under the tree's own limits on depth and aliases.

PyYAML's safe loader (libyaml) composes the node graph, in which an alias is the node it
names, shared: composing costs what the text costs. The graph is then walked into plain
data here instead of by PyYAML's constructor, so that nothing is shared and everything is
bounded: at most ``MAX_DEPTH`` levels (libyaml itself stops at 1000), and at most
``MAX_VALUES`` values reached through aliases, the limits every ``aigonix.yaml`` is read
under (a 1.8 KB "billion laughs" would otherwise expand to 10^9 values). The text itself
is bounded by ``DUMP_MAX_BYTES`` (``dump``). YAML timestamps stay text, and only the
standard tags are read: kubectl writes no other, and ``<<`` merge keys nest without bound.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml

from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.load import MAX_DEPTH, MAX_VALUES

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_KEYS = (str, int, float, bool, type(None))


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader, timestamps left as the strings they are in the objects."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [(tag, regex) for tag, regex in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


def load_documents(name: str, text: str) -> list[Any]:
    """The documents of ``text`` (the dump ``name``) as plain dicts, lists and scalars."""
    loader = _Loader(text)
    try:
        documents = []
        while loader.check_node():
            documents.append(_Walk(loader, name).plain(loader.get_node(), 0, False))
        return documents
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in str(error.problem):
            raise DumpError(_too_deep(name)) from None
        mark = error.problem_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DumpError(f"{name}: not YAML: {error.problem}{at}") from None
    except yaml.YAMLError:
        raise DumpError(f"{name}: not YAML") from None
    finally:
        loader.dispose()


def _too_deep(name: str) -> str:
    return f"{name}: nested deeper than {MAX_DEPTH} levels"


class _Walk:
    """One document's nodes → plain data, counting the values that aliases repeat."""

    def __init__(self, loader: _Loader, name: str) -> None:
        self.loader = loader
        self.name = name
        self.seen: set[int] = set()
        self.repeated = 0

    def plain(self, node: yaml.Node, depth: int, aliased: bool) -> Any:
        if depth > MAX_DEPTH:
            raise DumpError(_too_deep(self.name))
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            self.repeated += 1
            if self.repeated > MAX_VALUES:
                raise DumpError(
                    f"{self.name}: its aliases repeat more than {MAX_VALUES} values (a YAML alias bomb?)"
                )
        if isinstance(node, yaml.ScalarNode):
            return self.loader.construct_object(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.plain(item, depth + 1, aliased) for item in node.value]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self.mapping(node, depth, aliased)
        raise DumpError(f"{self.name}: not YAML kubectl writes (the tag {node.tag})")

    def mapping(self, node: yaml.MappingNode, depth: int, aliased: bool) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise DumpError(f"{self.name}: not YAML kubectl writes (a << merge key)")
            key = self.plain(key_node, depth + 1, aliased)
            if not isinstance(key, _KEYS):
                raise DumpError(f"{self.name}: not YAML kubectl writes (a key that is no scalar)")
            found[key] = self.plain(value_node, depth + 1, aliased)
        return found
