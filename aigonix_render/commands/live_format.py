"""The result of ``diff --live`` for people: text for a terminal, Markdown for a comment.

One line per object the first sync would add (``+``), change (``~``, then its fields,
``path: live -> tree``) or remove (``-``); then the notes. A Secret's values are never
shown, only that they differ.
"""

from __future__ import annotations

import html
import re

from aigonix_render.commands.live import LiveDiff

MARKER = "<!-- aigonix-render diff --live -->"


def _headline(result: LiveDiff) -> str:
    where = f"the live namespace {result.namespace} (application {result.application})"
    if result.changed:
        return f"what the first sync of the tree would change in {where}:"
    return f"no difference between the tree and {where}"


def as_text(result: LiveDiff) -> str:
    lines = [_headline(result)]
    for change in result.changes:
        lines.append(change.line)
        lines.extend(f"    {field.line}" for field in change.fields)
    lines.extend(f"note: {note}" for note in result.notes)
    return "\n".join(lines) + "\n"


def as_markdown(result: LiveDiff) -> str:
    """A comment: the hidden marker, the headline, one item per object, then the notes."""
    head = _headline(result)
    lines = [MARKER, "### aigonix-render diff --live", "", head[0].upper() + head[1:], ""]
    for change in result.changes:
        hidden = " (values differ, not shown)" if change.secret_values else ""
        lines.append(f"- {_code(change.mark)} {_escaped(change.kind)} {_code(change.name)}{hidden}")
        lines.extend(f"  - {_code(field.line)}" for field in change.fields)
    if result.changes:
        lines.append("")
    lines.extend(f"> **Note:** {_escaped(note)}\n" for note in result.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


def _code(text: str) -> str:
    """``text`` as a Markdown code span that no backtick inside it can end early."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
