"""The kinds with a pod template: images, a StatefulSet's claims, a CronJob's schedule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aigonix_render.check.blocks import keyed_values
from aigonix_render.check.metadata import named_findings
from aigonix_render.check.objects import Finding, RenderedObject
from aigonix_render.check.quantities import parse_quantity
from aigonix_render.check.reader import list_at, read_scalar, value_at
from aigonix_render.foundation import names

# The kinds with a pod template, whose containers name their images.
POD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"})


def image_findings(obj: RenderedObject) -> Iterator[Finding]:
    """A container's image: a name, without surrounding spaces."""
    if obj.data is None:
        images = [read_scalar(line) for line in _key_lines(obj.text, "image")]
    else:
        images = [value for key, value in keyed_values(obj.data) if key == "image"]
    for image in images:
        if not isinstance(image, str) or not image or image != image.strip():
            yield Finding("image", f"{image!r} must be a name without surrounding spaces", image)


def _key_lines(text: str, key: str) -> Iterator[str]:
    """The values written on the lines of ``key: value`` (or ``- key: value``)."""
    needle = f" {key}: "
    at = text.find(needle)
    while at >= 0:
        end = text.find("\n", at)
        yield text[at + len(needle) : end if end >= 0 else len(text)]
        at = text.find(needle, at + 1)


def claim_template_findings(spec: Any) -> Iterator[Finding]:
    """A volume claim asks for some storage: a positive quantity."""
    for i, claim in enumerate(list_at(spec, "volumeClaimTemplates")):
        field = f"spec.volumeClaimTemplates[{i}]"
        name = value_at(claim, "metadata", "name")  # its pods mount it as a volume of that name
        yield from named_findings(f"{field}.metadata.name", name, names.dns1123_label)
        size = value_at(claim, "spec", "resources", "requests", "storage")
        amount = parse_quantity(size)
        if isinstance(amount, str) or amount <= 0:
            why = amount if isinstance(amount, str) else "must be greater than zero"
            yield Finding(f"{field}.spec.resources.requests.storage", f"{size!r}: {why}", size)


_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", 0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def schedule_findings(schedule: Any) -> Iterator[Finding]:
    """What the API server's cron parser (robfig/cron ParseStandard) takes."""
    why = _cron(schedule) if isinstance(schedule, str) else "must be a string"
    if why:
        yield Finding("spec.schedule", f"{schedule!r}: {why}", schedule)


def _cron(schedule: str) -> str | None:
    if "TZ=" in schedule:
        return "may not set TZ or CRON_TZ (the CronJob's timeZone does)"
    if schedule.startswith("@"):
        return None if schedule in _CRON_MACROS else f"not one of {', '.join(_CRON_MACROS)}"
    fields = schedule.split()
    if len(fields) != len(_CRON_FIELDS):
        return f"a cron schedule has 5 fields, found {len(fields)}"
    for text, (what, low, high, words) in zip(fields, _CRON_FIELDS, strict=True):
        for part in text.split(","):
            if not _cron_part(part, low, high, words):
                return f"{part!r} is not a {what} ({low}-{high}, '*', ranges, lists and steps)"
    return None


def _cron_part(part: str, low: int, high: int, words: tuple[str, ...]) -> bool:
    bounds, _, step = part.partition("/")
    if step and not (step.isdigit() and int(step) > 0):
        return False
    if bounds in ("*", "?"):
        return True
    numbers = [_cron_number(n, words) for n in bounds.split("-")]
    if len(numbers) > 2 or any(n is None or not low <= n <= high for n in numbers):
        return False
    return len(numbers) == 1 or numbers[0] <= numbers[1]  # type: ignore[operator]


def _cron_number(text: str, words: tuple[str, ...]) -> int | None:
    if text.lower() in words:
        return words.index(text.lower()) + (1 if len(words) == 12 else 0)
    return int(text) if text.isdigit() else None
