"""The result of ``diff --base`` for people: text for a terminal, Markdown for a pull request.

Text is a summary per output folder, then the unified diff of every changed object. The
Markdown comment starts with the hidden ``MARKER`` (``pr_comment`` finds its comment by it)
and holds one ``<details>`` per output folder, cut to fit GitHub's limit. A Secret's content
is never shown, only that it changed.
"""

from __future__ import annotations

import difflib
import html
import re

from aigonix_render.commands.review_changes import Change, Review, Section

MARKER = "<!-- aigonix-render diff -->"
COMMENT_LIMIT = 65536


# --- text -------------------------------------------------------------------------------


def unified_diff(change: Change) -> str:
    """The unified diff of one object (``/dev/null`` on the missing side); none for a Secret."""
    if change.secret:
        return ""
    before = change.before.splitlines(keepends=True) if change.before is not None else []
    after = change.after.splitlines(keepends=True) if change.after is not None else []
    source = f"a/{change.path}" if change.before is not None else "/dev/null"
    target = f"b/{change.path}" if change.after is not None else "/dev/null"
    lines = difflib.unified_diff(before, after, source, target)
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def _headline(review: Review) -> str:
    if review.changed:
        return f"changes to the rendered output since {review.since}:"
    return f"no change to the rendered output since {review.since}"


def as_text(review: Review) -> str:
    """A summary per output folder, then the unified diff of every changed non-Secret object."""
    lines = [_headline(review)]
    if review.note:
        lines.append(f"note: {review.note}")
    for section in review.sections:
        lines.append(section.summary)
        lines.extend(f"  {change.line}" for change in section.changes)
    diffs = "".join(unified_diff(c) for section in review.sections for c in section.changes)
    return "\n".join(lines) + "\n" + (f"\n{diffs}" if diffs else "")


# --- markdown ---------------------------------------------------------------------------


def as_markdown(review: Review, limit: int = COMMENT_LIMIT) -> str:
    """A pull request comment: the hidden marker first, one ``<details>`` per output folder.

    Longer than ``limit`` (GitHub's 65,536 characters, counted in UTF-16 code units as
    GitHub's browser side does, so never too few), whole sections are left out from the
    end and a last line names them and says to run the command locally.
    """
    head = _markdown_head(review)
    blocks = [_markdown_section(section) for section in review.sections]
    for kept in range(len(blocks), -1, -1):
        left = _left_out(review, [s.folder + f" ({s.counts})" for s in review.sections[kept:]])
        text = "\n".join([*head, *blocks[:kept], *left])
        if _length(text) <= limit:
            return text
    left = _left_out(review, [f"all {len(blocks)} folders"])
    return _truncate("\n".join([*head, *left]), limit)


def _markdown_head(review: Review) -> list[str]:
    """The first paragraphs, each ending in a newline (they are joined by blank lines)."""
    since = f"{_code(review.base)} ({_code(review.commit[:12])})"
    if review.changed:
        line = f"Changes to the rendered output since {since}:"
    else:
        line = f"No change to the rendered output since {since}."
    head = [f"{MARKER}\n### aigonix-render diff\n", f"{line}\n"]
    if review.note:
        head.append(f"> **Note:** {html.escape(review.note, quote=False)}\n")
    return head


def _markdown_section(section: Section) -> str:
    items = "".join(f"- {_markdown_item(change)}\n" for change in section.changes)
    diffs = "".join(unified_diff(change) for change in section.changes)
    fence = _fence(diffs)
    block = f"\n{fence}diff\n{diffs}{fence}\n" if diffs else ""
    summary = html.escape(section.summary, quote=False)
    return f"<details><summary>{summary}</summary>\n\n{items}{block}\n</details>\n"


def _markdown_item(change: Change) -> str:
    hidden = " (values not shown)" if change.secret else ""
    return f"{_code(change.mark)} {html.escape(change.kind, quote=False)} {_code(change.name)}{hidden}"


def _left_out(review: Review, what: list[str]) -> list[str]:
    if not what:
        return []
    folders = html.escape("; ".join(what), quote=False)
    command = _code(f"aigonix-render diff --base {review.base}")
    return [
        f"**Left out**, the comment would be too long: {folders}. Run {command} locally to see everything.\n"
    ]


def _code(text: str) -> str:
    """``text`` as a Markdown code span that no backtick inside it can end early."""
    ticks = "`" * (_longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str) -> str:
    """A code fence longer than any backtick run in ``text``, so none can close it."""
    return "`" * max(3, _longest_backticks(text) + 1)


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _truncate(text: str, limit: int) -> str:
    """Last resort for an absurdly small limit: cut by characters, never over it."""
    text = text[: max(limit, 0)]
    while _length(text) > limit:
        text = text[:-1]
    return text
