"""The stages joined: load → validate → model → render → seal → write.

Commands call these functions with plain options and get values back; nothing here
prints, exits or knows about click.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aigonix_render.errors import InvalidInput, OutputError
from aigonix_render.model import Model, build_model
from aigonix_render.problems import Problem, has_errors
from aigonix_render.render import OutputFile, Rendering, Templates, render_model
from aigonix_render.seal import Fingerprinted, fingerprint, previous_fingerprint, seal
from aigonix_render.sops import Sops, find_sops
from aigonix_render.validate import validate_root
from aigonix_render.write import (
    Plan,
    check_writable,
    output_lock,
    plan,
    read_previous,
    recover,
    write_output,
)


@dataclass(frozen=True)
class RenderOptions:
    root: Path
    out: Path
    check: bool = False
    strict: bool = False
    jobs: int = 0


@dataclass(frozen=True)
class RenderResult:
    plan: Plan
    problems: list[Problem]
    sealed: int


def valid_model(root: Path, strict: bool, exclude: tuple[Path, ...] = ()) -> tuple[Model, list[Problem]]:
    """The model of a tree that validates; ``InvalidInput`` (with the problems) otherwise."""
    validation = validate_root(root, exclude)
    if has_errors(validation.problems, strict):
        raise InvalidInput(validation.problems)
    return build_model(validation.tree), validation.problems


def render(options: RenderOptions) -> RenderResult:
    root, out = options.root.resolve(), options.out.resolve()
    _check_output_place(root, out)
    model, problems = valid_model(root, options.strict, (out,))
    templates = Templates()
    rendering = render_model(model, templates)
    secrets = [fingerprint(p, root, templates) for p in rendering.secrets]
    if options.check:
        return RenderResult(_check_plan(out, rendering, secrets), problems, 0)
    with output_lock(out):
        recover(out)
        check_writable(out)
        kept, stale = _split_by_fingerprint(out, secrets)
        sealed = _seal(stale, root, templates, options.jobs)
        files = [*rendering.files, *kept, *sealed]
        return RenderResult(write_output(out, files), problems, len(sealed))


def _seal(stale: list[Fingerprinted], root: Path, templates: Templates, jobs: int) -> list[OutputFile]:
    if not stale:
        return []
    return seal(stale, root, templates, Sops(find_sops()), jobs or os.cpu_count() or 1)


def _check_output_place(root: Path, out: Path) -> None:
    if out == root or root.is_relative_to(out):
        raise OutputError(f"the output directory {out} would contain the input tree; choose another")


def _split_by_fingerprint(
    out: Path, secrets: list[Fingerprinted]
) -> tuple[list[OutputFile], list[Fingerprinted]]:
    """Secrets whose previous file has the same fingerprint are kept byte for byte."""
    kept: list[OutputFile] = []
    stale: list[Fingerprinted] = []
    for secret in secrets:
        old = read_previous(out, secret.pending.path)
        text = old.decode("utf-8", "replace") if old is not None else ""
        if old is not None and previous_fingerprint(text) == secret.fingerprint:
            kept.append(OutputFile(secret.pending.path, text))
        else:
            stale.append(secret)
    return kept, stale


def _check_plan(out: Path, rendering: Rendering, secrets: list[Fingerprinted]) -> Plan:
    kept, stale = _split_by_fingerprint(out, secrets)
    result = plan(out, [*rendering.files, *kept])
    missing = tuple(s.pending.path for s in stale)
    added = tuple(p for p in missing if read_previous(out, p) is None)
    changed = tuple(p for p in missing if p not in added)
    return Plan(
        tuple(sorted((*result.added, *added))),
        tuple(sorted((*result.changed, *changed))),
        tuple(p for p in result.removed if p not in missing),
    )
