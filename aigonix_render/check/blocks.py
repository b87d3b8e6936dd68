"""The labels, annotations, selectors and resources of an object, wherever they stand.

Canonical text is searched for each key's line and each distinct block is read and checked
once (``_block_findings`` is cached); text with a literal block, or read by libyaml, is
walked whole instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from aigonix_render.check.metadata import annotation_findings, label_findings, selector_findings
from aigonix_render.check.objects import Finding, RenderedObject
from aigonix_render.check.quantities import resource_findings
from aigonix_render.check.reader import read_block, read_whole, value_end

# Blocks that mean the same wherever they are: every ``labels`` and ``matchLabels`` mapping
# holds labels (an object's, a pod template's, a selector's), every ``annotations`` mapping
# annotations, every ``resources`` block quantities, a ``selector`` labels unless it is a
# label selector. In canonical text a search for each key's line finds them all, nested
# ones too, and each distinct block (they repeat across a microservice's objects and
# environments; a pod template's labels, its selector and the Service's are one text,
# checked as labels) is checked once.
_LABEL_MAPS = {"matchLabels": "labels", "selector": "labels"}
_BLOCK_NEEDLES = tuple(
    (key, f" {key}:\n") for key in ("labels", "matchLabels", "annotations", "resources", "selector")
)


# What each block of ``_BLOCK_NEEDLES`` must hold.
_RULES: dict[str, Callable[[str, Mapping[str, Any]], Iterator[Finding]]] = {
    "labels": label_findings,
    "matchLabels": label_findings,
    "annotations": annotation_findings,
    "resources": resource_findings,
    "selector": selector_findings,
}


def block_rules(obj: RenderedObject) -> list[Finding]:
    if obj.data is None and not _literal_after(obj.text, obj.spec):
        blocks = [*obj.blocks, *_keyed_blocks(obj.text, obj.spec)] if obj.spec >= 0 else obj.blocks
        return [finding for key, text in blocks for finding in _block_findings(key, text)]
    # a literal block could hold lines that look like keys: walk the data instead
    found = keyed_values(obj.data if obj.data is not None else read_whole(obj.text))
    return [
        f
        for key, value in found
        if key in _RULES and isinstance(value, dict)
        for f in _RULES[key](key, value)
    ]


def _keyed_blocks(text: str, start: int) -> Iterator[tuple[str, str]]:
    """Each ``key:`` line of ``_BLOCK_NEEDLES`` after ``start``, and the lines of its value
    without their indentation (one text wherever the block stands)."""
    for key, needle in _BLOCK_NEEDLES:
        at = text.find(needle, start)
        while at >= 0:
            line = text.rfind("\n", 0, at) + 1
            indent = at + 1 - line
            if text.count(" ", line, at + 1) == indent:  # only spaces before the key
                body = at + len(needle)
                block = text[body : value_end(text, body - 1, indent)]
                block = block.replace("\n" + " " * indent, "\n")[indent:]
                if not block.startswith(("  matchLabels:", "  matchExpressions:")):  # read on its own
                    yield _LABEL_MAPS.get(key, key), block
            at = text.find(needle, at + 1)


def _literal_after(text: str, start: int) -> bool:
    """Whether a literal block follows ``start``: its lines could look like keys."""
    if start < 0 or text.find("|", start) < 0:
        return False
    return text.find(": |", start) >= 0 or text.find("- |", start) >= 0


@lru_cache(maxsize=32768)
def _block_findings(key: str, text: str) -> tuple[Finding, ...]:
    value = read_block(text)
    return tuple(_RULES[key](key, value)) if isinstance(value, dict) else ()


def keyed_values(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value
            yield from keyed_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from keyed_values(value)
