"""What the API server refuses: every rule of every object, each problem told once.

The rules live by what they check (``metadata``, ``blocks``, ``routes``, ``workloads``,
``sizes``); here they are run over each object, in the order their problems are told, and
each finding is placed at the input that wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from aigonix_render.check.blocks import block_rules
from aigonix_render.check.metadata import name_rules
from aigonix_render.check.objects import Finding, RenderedObject, spec_of
from aigonix_render.check.reader import value_at
from aigonix_render.check.routes import http_route_findings, ingress_findings
from aigonix_render.check.sizes import size_rules, string_rules
from aigonix_render.check.sources import Places, problem_at_input
from aigonix_render.check.workloads import (
    POD_KINDS,
    claim_template_findings,
    image_findings,
    schedule_findings,
)
from aigonix_render.foundation import Problem, replace


class Named(Protocol):
    """What a told problem names of an object: a rendered one, or one a cache recorded."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    def title(self) -> str: ...


def object_problems(obj: RenderedObject, places: Places) -> list[Problem]:
    """Each finding of every rule in one object, at its input, before it is told once."""
    findings = [finding for rule in _OBJECT_RULES for finding in rule(obj)]
    if not findings:
        return []
    source = places.source(obj)
    return [problem_at_input(source, finding) for finding in findings]


def told_once(found: Iterable[tuple[Problem, Named]]) -> Iterator[Problem]:
    """Each problem once, naming the first object (in render's order) it was found in: one
    wrong value is rendered into many objects (a host into a route per microservice), and
    is told once (``check_rendering`` gives it ``object_problems`` of every object)."""
    told: dict[Problem, list[Named]] = defaultdict(list)
    for problem, obj in found:
        told[problem].append(obj)
    for problem, objs in told.items():
        yield replace(problem, message=f"{objs[0].title()}: {problem.message}{_same_in(objs[1:])}")


def _same_in(others: list[Named]) -> str:
    if len(others) == 1:
        return f"; the same in {others[0].kind} {others[0].name}"
    return f"; the same in {len(others)} more objects" if others else ""


def kind_rules(obj: RenderedObject) -> Iterator[Finding]:
    if obj.kind == "Ingress":
        yield from ingress_findings(spec_of(obj))
    elif obj.kind == "HTTPRoute":
        yield from http_route_findings(spec_of(obj))
    elif obj.kind in POD_KINDS:
        yield from image_findings(obj)
        if obj.kind == "StatefulSet":
            yield from claim_template_findings(spec_of(obj))
        if obj.kind == "CronJob":
            yield from schedule_findings(value_at(spec_of(obj), "schedule"))


# Every rule of one object, in the order its problems are told.
_OBJECT_RULES: tuple[Callable[[RenderedObject], Iterable[Finding]], ...] = (
    name_rules,
    block_rules,
    kind_rules,
    size_rules,
    string_rules,
)
