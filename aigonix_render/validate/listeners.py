"""The rules of a Gateway's listeners in the customer file: which listener the routes
attach to (``httpsListener``, or its older name ``sectionName``) and the plain-HTTP
listener whose routes redirect to HTTPS (``httpListener``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.foundation import Problem
from aigonix_render.load import Document, PathPart


def listener_problems(
    customer: Document, gateway: Mapping[str, Any], path: list[PathPart]
) -> Iterator[Problem]:
    """``path`` is the gateway's; each problem is at the key that breaks the rule."""
    https = gateway.get("httpsListener", gateway.get("sectionName"))
    if "httpsListener" in gateway and "sectionName" in gateway:
        message = "httpsListener is the newer name of sectionName: give one of them"
        yield customer.problem([*path, "sectionName"], message, at_key=True)
    http = gateway.get("httpListener")
    if http is None:
        return
    if https is None:
        message = (
            "httpListener needs httpsListener: without it the routes attach to every listener,"
            " the HTTP one too, and serve plain HTTP instead of redirecting it"
        )
        yield customer.problem([*path, "httpListener"], message, at_key=True)
    elif http == https:
        message = (
            f"httpListener and httpsListener are both {http!r}: the redirect needs a listener of its own"
        )
        yield customer.problem([*path, "httpListener"], message)
