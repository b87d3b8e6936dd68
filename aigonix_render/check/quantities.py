"""Kubernetes quantities (apimachinery's resource.ParseQuantity) and a container's resources."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from aigonix_render.check.objects import Finding
from aigonix_render.check.reader import as_mapping


def resource_findings(field: str, resources: Mapping[str, Any]) -> Iterator[Finding]:
    """Quantities, never negative; a request at most its limit."""
    amounts: dict[tuple[str, str], Decimal] = {}
    for kind in ("limits", "requests"):
        for name, value in as_mapping(resources.get(kind)).items():
            amount = parse_quantity(value)
            if isinstance(amount, str):
                yield Finding(f"{field}.{kind}.{name}", f"{value!r}: {amount}", value)
            else:
                amounts[(kind, name)] = amount
    for (kind, name), amount in amounts.items():
        limit = amounts.get(("limits", name))
        if kind == "requests" and limit is not None and amount > limit:
            value, limit_text = resources[kind][name], resources["limits"][name]
            message = f"{value!r} must be at most the {name} limit {limit_text!r}"
            yield Finding(f"{field}.{kind}.{name}", message, value)


_QUANTITY = re.compile(
    r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:[eE]([+-]?[0-9]+)|([numkMGTPE]|[KMGTPE]i))?"
)
_SCALES = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"),
    **{f"{p}i": Decimal(1024) ** (i + 1) for i, p in enumerate("KMGTPE")},
}  # fmt: skip


def parse_quantity(value: Any) -> Decimal | str:
    """A Kubernetes quantity's amount (apimachinery's resource.ParseQuantity), or why not."""
    text = repr(value) if isinstance(value, float) else str(value)
    match = (
        _QUANTITY.fullmatch(text)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool)
        else None
    )
    if match is None:
        return "not a Kubernetes quantity (a number with an optional suffix such as m, Mi or Gi)"
    number, exponent, suffix = match.groups()
    if exponent is not None and abs(int(exponent)) > 100:
        exponent = str(100 if int(exponent) > 0 else -100)  # beyond every bound: scale, not a loop
    amount = Decimal(number) * (Decimal(10) ** int(exponent) if exponent else _SCALES[suffix or ""])
    return "must not be negative" if amount < 0 else amount
