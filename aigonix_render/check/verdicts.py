"""The check over everything rendered, told per application, so a verdict can be kept.

``check_rendering`` reads every object; ``check_kept`` reads only the folders rendered now
and takes, for each application whose inputs did not change, its ``Verdict`` from an
earlier run: the problems found in it before they are told once across objects, the
collisions within it, and what the rules across folders read of it (its objects'
identities and paths, its Runtimes' database configurations). The rules across folders then
run over everything, so their problems are those of the whole check: a name two
applications render into one cluster, a path written twice, a database two applications
share. Where two applications' objects or files meet, the verdicts are set aside (None):
the caller checks the whole rendering, which tells it at both places.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from aigonix_render.check.apiserver import object_problems, told_once
from aigonix_render.check.collisions import file_collisions, object_collisions, shared_databases
from aigonix_render.check.objects import RenderedObject, pending_object, rendered_objects
from aigonix_render.check.sources import Places
from aigonix_render.foundation import OutputFile, Problem, names, record, sort_problems
from aigonix_render.load import Tree
from aigonix_render.model import Model
from aigonix_render.render import Rendering

Place = tuple[int, str, int]
"""Where an object stands in render's order: 0 for a file, 1 for a Secret to seal; its
folder; its place among that folder's."""


@record
class Told:
    """A problem found in one object, before it is told once across objects."""

    place: Place
    problem: Problem
    kind: str
    name: str
    namespace: str | None

    def title(self) -> str:
        namespace = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind} {self.name}{namespace}"


@record
class Verdict:
    """What the check found in one application's folders and what crosses them."""

    told: tuple[Told, ...]
    collisions: tuple[Problem, ...]
    identities: tuple[tuple[str | None, ...], ...]
    paths: tuple[str, ...]
    databases: tuple[tuple[Place, OutputFile], ...]


def check_kept(
    rendering: Rendering,
    model: Model,
    tree: Tree,
    kept: Mapping[str, Verdict],
    folders: list[str],
) -> tuple[list[Problem], dict[str, Verdict]] | None:
    """The problems of the whole check, from ``rendering`` (every folder but those of the
    ``kept`` applications) and the kept verdicts; with the verdict of each application
    rendered now. ``folders``: every application folder in render's order. None when two
    applications meet: then only the whole check tells it right."""
    places = Places.of(model, tree)
    rank = {folder: at for at, folder in enumerate(folders)}
    groups: dict[str, list[tuple[Place, RenderedObject]]] = defaultdict(list)
    for place, obj in _placed(rendering):
        groups[_application(obj.folder, rank)].append((place, obj))
    paths: dict[str, list[str]] = defaultdict(list)
    for path in (*(f.path for f in rendering.files), *(s.path for s in rendering.secrets)):
        paths[_application(path.rpartition("/")[0], rank)].append(path)
    fresh = {app: _verdict(objs, paths.get(app, []), places) for app, objs in groups.items()}
    for app in set(paths) - set(fresh):
        fresh[app] = _verdict([], paths[app], places)
    every = {**kept, **fresh}
    if _meet(every.values()):
        return None
    databases = [pair for verdict in every.values() for pair in _database_objects(verdict.databases)]
    told = sorted(
        ((t.place, t.problem, t) for verdict in every.values() for t in verdict.told),
        key=lambda item: _order(item[0], rank),
    )
    problems = [
        *(p for verdict in every.values() for p in verdict.collisions),
        *shared_databases([obj for _, obj in sorted(databases, key=lambda d: _order(d[0], rank))], places),
        *told_once((problem, t) for _, problem, t in told),
    ]
    verdicts = {app: verdict for app, verdict in fresh.items() if app in _applications(folders)}
    return sort_problems(problems), verdicts


def _placed(rendering: Rendering) -> Iterator[tuple[Place, RenderedObject]]:
    """Each object with its place in render's order."""
    counted: dict[tuple[int, str], int] = defaultdict(int)
    objects = [
        *((0, obj) for obj in rendered_objects(rendering)),
        *((1, pending_object(secret)) for secret in rendering.secrets),
    ]
    for kind, obj in objects:
        at = counted[(kind, obj.folder)]
        counted[(kind, obj.folder)] = at + 1
        yield (kind, obj.folder, at), obj


def _order(place: Place, rank: Mapping[str, int]) -> tuple[int, int, str, int]:
    """Render's order: files before Secrets, application folders in the model's order,
    then the others (delivery) in the order they were rendered."""
    return (place[0], rank.get(place[1], len(rank)), place[1] if place[1] not in rank else "", place[2])


def _application(folder: str, rank: Mapping[str, int]) -> str:
    """The application an output folder belongs to; "" for the others (delivery)."""
    return folder.partition("/")[0] if folder in rank else ""


def _applications(folders: list[str]) -> set[str]:
    return {folder.partition("/")[0] for folder in folders}


def _verdict(objs: list[tuple[Place, RenderedObject]], paths: list[str], places: Places) -> Verdict:
    objects = [obj for _, obj in objs]
    own = Rendering(tuple(OutputFile(path, "") for path in paths), ())
    suffix = names.DOLITTLE_CONFIG_SUFFIX
    return Verdict(
        told=tuple(
            Told(place, problem, obj.kind, obj.name, obj.namespace)
            for place, obj in objs
            for problem in object_problems(obj, places)
        ),
        collisions=tuple([*object_collisions(objects, places), *file_collisions(own, objects, places)]),
        identities=tuple(
            (destination, obj.group, obj.kind, obj.namespace, obj.name)
            for obj in objects
            for destination in sorted(places.destinations(obj))
        ),
        paths=tuple(paths),
        databases=tuple(
            (place, OutputFile(obj.path, obj.text))
            for place, obj in objs
            if obj.kind == "ConfigMap" and obj.name.endswith(suffix) and place[0] == 0
        ),
    )


def _meet(verdicts: Iterable[Verdict]) -> bool:
    """Whether two applications render one object where it is applied, or one path."""
    owners: dict[object, int] = {}
    for at, verdict in enumerate(verdicts):
        for key in (*verdict.identities, *verdict.paths):
            if owners.setdefault(key, at) != at:
                return True
    return False


def _database_objects(
    databases: tuple[tuple[Place, OutputFile], ...],
) -> Iterator[tuple[Place, RenderedObject]]:
    for place, file in databases:
        yield from ((place, obj) for obj in rendered_objects(Rendering((file,), ())))
