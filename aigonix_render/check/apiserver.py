"""What the API server refuses: every rule of every object, each problem told once.

The rules live by what they check (``metadata``, ``blocks``, ``routes``, ``workloads``,
``sizes``); here they are run over each object, in the order their problems are told, and
each finding is placed at the input that wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from aigonix_render.check.blocks import _block_rules
from aigonix_render.check.metadata import _name_rules
from aigonix_render.check.objects import _Finding, _Object, _spec
from aigonix_render.check.reader import _at
from aigonix_render.check.routes import _http_route, _ingress
from aigonix_render.check.sizes import _size_rules, _string_rules
from aigonix_render.check.sources import _at_input, _Places
from aigonix_render.check.workloads import _POD_KINDS, _claim_templates, _images, _schedule
from aigonix_render.foundation import Problem


def _refused(objects: list[_Object], places: _Places) -> Iterator[Problem]:
    """One problem per input node and finding: one wrong value is rendered into many
    objects (a host into a route per microservice), and is told once, naming the first."""
    told: dict[Problem, list[_Object]] = defaultdict(list)
    for obj in objects:
        findings = [finding for rule in _OBJECT_RULES for finding in rule(obj)]
        if findings:
            source = places.source(obj)
            for finding in findings:
                told[_at_input(source, finding)].append(obj)
    for found, objs in told.items():
        yield replace(found, message=f"{objs[0].title()}: {found.message}{_same_in(objs[1:])}")


def _same_in(others: list[_Object]) -> str:
    if len(others) == 1:
        return f"; the same in {others[0].kind} {others[0].name}"
    return f"; the same in {len(others)} more objects" if others else ""


def _kind_rules(obj: _Object) -> Iterator[_Finding]:
    if obj.kind == "Ingress":
        yield from _ingress(_spec(obj))
    elif obj.kind == "HTTPRoute":
        yield from _http_route(_spec(obj))
    elif obj.kind in _POD_KINDS:
        yield from _images(obj)
        if obj.kind == "StatefulSet":
            yield from _claim_templates(_spec(obj))
        if obj.kind == "CronJob":
            yield from _schedule(_at(_spec(obj), "schedule"))


# Every rule of one object, in the order its problems are told.
_OBJECT_RULES: tuple[Callable[[_Object], Iterable[_Finding]], ...] = (
    _name_rules,
    _block_rules,
    _kind_rules,
    _size_rules,
    _string_rules,
)
