"""Values a one-value edit must not change in place: those shared through a YAML anchor.

An alias (``*h``) is the very node its anchor (``&h``) names, and a merge key
(``<<: *base``) lends a mapping the keys of the anchored one: their text stands once, at the
anchor. Editing that text for ``environments.Prod.head.image`` would change every place
that refers to the anchor (``environments.Dev.head`` too), and the edit would read back as
the change asked for, since a reader shares the value the same way. So an edit whose path
reaches a node more than one place refers to (an alias, or the anchored node an alias
refers to), or a key a mapping has only through a merge key, is refused, naming where the
anchor stands. An anchor no alias refers to shares nothing and is no reason to refuse.

The nodes come from ruamel's composer, which gives an alias the anchored node itself, so
"refers to" is counted by identity over the composed graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from aigonix_render.foundation import record

MERGE_TAG = "tag:yaml.org,2002:merge"


@record
class Shared:
    """The node at ``where`` (dotted keys) is shared: anchored ``&anchor`` at ``line:column``
    (``anchor`` None: an inline mapping after ``<<``); ``merged``: through a merge key."""

    where: str
    anchor: str | None
    line: int
    column: int
    merged: bool

    def message(self, name: str) -> str:
        """Why the edit is refused and what to do, at the anchor in the file ``name``."""
        at = f"{name}:{self.line}:{self.column}"
        if self.merged:
            source = f"'<<: *{self.anchor}', from the YAML anchor &{self.anchor}" if self.anchor else "'<<'"
            return (
                f"{at}: {self.where} comes from the merge key {source}: it is shared by every "
                "place that merges it, so setting it would change them all; edit it there by "
                "hand, or replace the merge by a mapping of its own"
            )
        return (
            f"{at}: {self.where} is the value of the YAML anchor &{self.anchor}: it is shared by "
            f"every place that refers to the anchor (*{self.anchor}), so setting it would change "
            "them all; edit it there by hand, or replace the alias by a mapping of its own"
        )


def compose(text: str) -> MappingNode:
    """The file's node graph (an alias is the anchored node itself)."""
    node = next(iter(YAML(typ="rt", pure=True).compose_all(text)), None)
    assert isinstance(node, MappingNode)  # the loader accepted the file as a mapping
    return node


def entry(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    """The key and value nodes of ``key`` written in ``mapping`` itself (not merged in)."""
    for key_node, value_node in mapping.value:
        if key_node.value == key and key_node.tag != MERGE_TAG:
            return key_node, value_node
    return None


def shared_on_path(root: MappingNode, keys: Sequence[str]) -> Shared | None:
    """The first shared node on the way down ``keys``, None when the edit shares nothing."""
    references = _references(root)
    mapping = root
    for depth, key in enumerate(keys):
        where = ".".join(keys[: depth + 1])
        found = entry(mapping, key)
        if found is None:
            source = _merged_source(mapping, key, set())
            return None if source is None else _shared(where, source, merged=True)
        node = found[1]
        if references[id(node)] > 1:
            return _shared(where, node, merged=False)
        if not isinstance(node, MappingNode):
            return None
        mapping = node
    return None


def _shared(where: str, node: Node, merged: bool) -> Shared:
    mark = node.start_mark  # an anchored node starts at its '&'
    return Shared(where, node.anchor, mark.line + 1, mark.column + 1, merged)


def _references(root: Node) -> Counter[int]:
    """How many places refer to each node (by identity); each node is walked once."""
    references: Counter[int] = Counter()
    seen = {id(root)}
    pending = [root]
    while pending:
        for child in _children(pending.pop()):
            references[id(child)] += 1
            if id(child) not in seen:
                seen.add(id(child))
                pending.append(child)
    return references


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, SequenceNode):
        yield from node.value


def _merged_source(mapping: MappingNode, key: str, seen: set[int]) -> MappingNode | None:
    """The mapping, merged into ``mapping`` by ``<<`` (at any depth), that holds ``key``."""
    seen.add(id(mapping))
    for source in _merge_sources(mapping):
        if id(source) in seen:
            continue
        if entry(source, key) is not None:
            return source
        deeper = _merged_source(source, key, seen)
        if deeper is not None:
            return deeper
    return None


def _merge_sources(mapping: MappingNode) -> Iterator[MappingNode]:
    """The mappings ``<<: *a`` or ``<<: [*a, *b]`` merges into ``mapping``, in order."""
    for key, value in mapping.value:
        if key.tag == MERGE_TAG:
            nodes = value.value if isinstance(value, SequenceNode) else [value]
            yield from (node for node in nodes if isinstance(node, MappingNode))
