"""The imported tree, validated and rendered before it is written, against the dump.

What the extraction could not carry shows up here as a difference between an object the
platform made and the object a render of the tree makes, so nothing is dropped without a
report line, whether the extraction missed it or the tree cannot hold it. The render is
the real one (``render_model``); Secrets, and ConfigMaps sealed like them (an environment's
kafka files), are compared by their keys, as their values are still encrypted in the tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.compare import ADDED, CHANGED, LEFT, data_keys_only, differences
from aigonix_render.commands.importer.errors import DumpError
from aigonix_render.commands.importer.recognise import Recognised
from aigonix_render.foundation import InvalidInput, Problem, Severity
from aigonix_render.render import RETAINED

Key = tuple[str, str | None, str]

# The render adds these labels to every object's metadata, never to a pod template
# (README, "The output"; render/meta.py): said once for all objects, not per object.
_RENDER_LABELS = "metadata.labels[app.kubernetes.io/"
_LABELS_NOTE = report.note(
    "every object",
    "the render adds the labels app.kubernetes.io/name, part-of and managed-by (not to pod templates: nothing restarts)",
    "metadata.labels",
)

# What keeps GitOps from deleting data, on the Namespace and the event store: the one
# difference exact adoption allows (README, "Adopting a running application").
_RETAINED = tuple(f"metadata.annotations[{key}]" for key in RETAINED)
_RETAINED_NOTE = report.note(
    "the Namespace and the event store",
    "the render adds "
    + ", ".join(f"{key}: {value}" for key, value in RETAINED.items())
    + ": neither Argo CD nor Flux prunes or deletes what holds the event store's data",
    "metadata.annotations",
)

_SAID = {
    LEFT: "left out: the tree cannot express it; a render removes it",
    ADDED: "added by the render",
    CHANGED: "changed by the render",
}


def self_check(
    root: Path, recognised: Recognised, said: Iterable[report.ReportLine]
) -> list[report.ReportLine]:
    rendered, sealed, problems = _render(root)
    lines = [_validation_note(p) for p in problems]
    dumped = {_key(obj.body): obj.body for app in recognised.applications for obj in app.platform}
    covered = [(line.subject, line.path) for line in said]
    for key in sorted(set(dumped) | set(rendered), key=lambda k: (k[0], k[2])):
        ref = f"{key[0]}/{key[2]}"
        if key not in rendered:
            lines.append(
                report.warning(
                    ref,
                    "left out: the tree does not render it; it stays in the namespace, unmanaged, until deleted by hand",
                )
            )
        elif key not in dumped:
            lines.append(report.warning(ref, "added by the render"))
        else:
            before, after = dumped[key], rendered[key]
            if key in sealed:
                before, after = data_keys_only(before), data_keys_only(after)
            for difference in differences(before, after, mask_secrets=True):
                if difference.what == ADDED and difference.path.startswith(_RENDER_LABELS):
                    lines.append(_LABELS_NOTE)
                elif difference.what == ADDED and difference.path in _RETAINED:
                    lines.append(_RETAINED_NOTE)
                elif not _covered(covered, ref, difference.path):
                    message = _SAID.get(difference.what, "reordered by the render")
                    lines.append(report.warning(ref, message, difference.path))
    return [line for line in lines if not _covered(covered, line.subject, line.path)]


def _covered(covered: list[tuple[str, str]], subject: str, path: str) -> bool:
    """A line said already for this field, one that holds it, or the whole object."""
    return any(
        s == subject and (not p or path == p or path.startswith((p + ".", p + "["))) for s, p in covered
    )


def _render(root: Path) -> tuple[dict[Key, Any], set[Key], list[Problem]]:
    """The render's objects, the sealed ConfigMaps among them, and validation's warnings."""
    from aigonix_render.commands.pipeline import valid_model
    from aigonix_render.render import Templates, render_model
    from aigonix_render.seal import secret_text

    try:
        model, problems, _ = valid_model(root, strict=False)
    except InvalidInput as error:
        errors = [p.text() for p in error.problems if p.severity is Severity.ERROR]
        message = "the imported tree does not validate: the dump holds what the tree refuses"
        raise DumpError(message, *errors) from None
    templates = Templates()
    rendering = render_model(model, templates)
    found = [yaml.safe_load(f.text) for f in rendering.objects]
    sealed: set[Key] = set()
    for pending in rendering.secrets:
        keys = (".dockerconfigjson",) if pending.docker_server else pending.keys
        found.append(yaml.safe_load(secret_text(templates, pending, dict.fromkeys(keys, ""), "")))
        if pending.meta.kind != "Secret":
            sealed.add(_key(found[-1]))
    return {_key(obj): obj for obj in found}, sealed, problems


def _key(obj: Any) -> Key:
    metadata = obj.get("metadata") or {}
    return (obj["kind"], metadata.get("namespace"), metadata["name"])


def _validation_note(problem: Problem) -> report.ReportLine:
    return report.note(f"{problem.file}:{problem.line}", f"validate warns: {problem.message}")
