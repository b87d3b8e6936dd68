"""Every rendered object and what the per-object rules find in it, on two cores when large.

Reading an object's head (``objects.read_object``) and running every rule of it
(``apiserver.object_problems``) needs nothing but the object and the inputs' places. Of a
large rendering, a forked child (``foundation.in_two``) runs the rules of the objects of the
files' later part and of the pending Secrets, and sends back only the problems it found,
by the object's index (a few, mostly none: the objects themselves would cost more to send
than to read again); this process meanwhile reads every object and runs the rules of the
first part. Joined in render's order, what is told, and in which order, is what one
process finds.
"""

from __future__ import annotations

from collections.abc import Sequence

from aigonix_render.check.apiserver import object_problems
from aigonix_render.check.objects import RenderedObject, pending_object, read_object
from aigonix_render.check.sources import Places
from aigonix_render.foundation import FILES_PER_UNIT, OutputFile, Problem, in_two, worth_forking
from aigonix_render.render import KUSTOMIZATION, PendingSecret, Rendering

Found = tuple[list[RenderedObject], list[list[Problem]]]

PARENT_SHARE = 1 / 2
"""The part of the objects whose rules this process runs: it also reads every object."""


def objects_found(rendering: Rendering, places: Places) -> Found:
    """The objects of the rendering (its files but kustomizations, then its pending Secrets)
    and, for each, the problems its own rules find, in that order."""
    files = [file for file in rendering.files if file.path.rpartition("/")[2] != KUSTOMIZATION]
    if not worth_forking(len(files) // FILES_PER_UNIT):
        objects = _objects(files, rendering.secrets)
        return objects, [object_problems(obj, places) for obj in objects]
    cut = int(len(files) * PARENT_SHARE)

    def mine() -> Found:
        objects = _objects(files, rendering.secrets)
        return objects, [object_problems(obj, places) for obj in objects[:cut]]

    def theirs() -> dict[int, list[Problem]]:
        objects = _objects(files[cut:], rendering.secrets)
        return {index: found for index, obj in enumerate(objects) if (found := object_problems(obj, places))}

    (objects, problems), later = in_two(mine, theirs)
    return objects, problems + [later.get(index, []) for index in range(len(objects) - cut)]


def _objects(files: Sequence[OutputFile], secrets: Sequence[PendingSecret]) -> list[RenderedObject]:
    return [
        *(read_object(file.path, file.text) for file in files),
        *(pending_object(secret) for secret in secrets),
    ]
