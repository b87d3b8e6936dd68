"""Two rendered things that meet: the same object twice where it is applied, one output
file written twice, and one database shared by two Runtimes or two tenants.

Each is told at both sources, each naming the other's place.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import suppress
from typing import Any

from aigonix_render.check.objects import RenderedObject
from aigonix_render.check.reader import UnusualText, read_libyaml, read_scalar, value_at, value_end
from aigonix_render.check.sources import Places, Source
from aigonix_render.foundation import Problem, names, record
from aigonix_render.render import Rendering


def object_collisions(objects: list[RenderedObject], places: Places) -> Iterator[Problem]:
    """The same (group, kind, namespace, name) twice where the objects are applied."""
    seen: dict[tuple[str | None, ...], list[RenderedObject]] = defaultdict(list)
    for obj in objects:
        for destination in places.destinations(obj):
            seen[(destination, obj.group, obj.kind, obj.namespace, obj.name)].append(obj)
    for group in (g for g in seen.values() if len(g) > 1):
        for obj in group:
            other = next(o for o in group if o is not obj)
            yield _twice(obj, other, places, f"{obj.title()}: rendered twice")


def _identity(obj: RenderedObject) -> tuple[str | None, ...]:
    return (obj.group, obj.kind, obj.namespace, obj.name)


def file_collisions(rendering: Rendering, objects: list[RenderedObject], places: Places) -> Iterator[Problem]:
    """One output file written twice; the same object twice is said by the check above."""
    paths: dict[str, int] = defaultdict(int)
    for path in [*(f.path for f in rendering.files), *(s.path for s in rendering.secrets)]:
        paths[path] += 1
    written: dict[str, list[RenderedObject]] = defaultdict(list)
    for obj in objects:
        if paths[obj.path] > 1:
            written[obj.path].append(obj)
    for path in (p for p, count in paths.items() if count > 1):
        group = written[path]
        what = f"{path}: written twice"
        if len(group) < 2:
            yield places.folder_source(path.rpartition("/")[0]).problem(what)
        elif len({_identity(o) for o in group}) > 1:
            yield from (_twice(o, next(x for x in group if x is not o), places, what) for o in group)


def _twice(obj: RenderedObject, other: RenderedObject, places: Places, what: str) -> Problem:
    here, there = places.source(obj), places.source(other)
    if here.where() == there.where():
        here, there = _tenants_apart(obj, other, places, here)
    if here.where() == there.where():
        return here.problem(f"{what} by this {here.origin}")
    return here.problem(f"{what}, also from {there.where()} ({there.origin})")


def _tenants_apart(
    obj: RenderedObject, other: RenderedObject, places: Places, source: Source
) -> tuple[Source, Source]:
    """Two objects from one place, one per customer tenant (a route): the tenant ids that
    gave them one name. Each names its tenant's id, so the text says which it is."""
    tenants = [_tenant_named(o, places, source) for o in (obj, other)]
    if tenants[0] is None or tenants[1] is None:
        return source, source
    return tenants[0], tenants[1]


def _tenant_named(obj: RenderedObject, places: Places, source: Source) -> Source | None:
    text = obj.text.lower()
    found = [t for t in _tenant_ids(source) if t.lower() in text]
    return places.tenant(source, found[0]) if len(found) == 1 else None


def _tenant_ids(source: Source) -> list[str]:
    for document in source.searched:
        env = (document.data.get("environments") or {}).get(source.environment or "")
        if isinstance(env, Mapping):
            return [str(t.get("id")) for t in env.get("tenants") or [] if isinstance(t, Mapping)]
    return []


# --- databases ---------------------------------------------------------------------------


@record
class _Database:
    """A database one tenant of one microservice's Runtime uses, from its resources.json."""

    obj: RenderedObject
    tenant: str
    server: str
    name: str


def shared_databases(objects: list[RenderedObject], places: Places) -> Iterator[Problem]:
    """No two microservices, and no two tenants of one, may share a database on one server;
    each pair of sources is told once, with the first database they share."""
    owners: dict[tuple[str, str], _Database] = {}
    told: set[tuple[str, str]] = set()
    for obj in objects:
        if obj.kind == "ConfigMap" and obj.name.endswith(names.DOLITTLE_CONFIG_SUFFIX):
            for database in _databases(obj):
                first = owners.setdefault((database.server, database.name.lower()), database)
                if first.obj is not database.obj or first.tenant != database.tenant:
                    yield from _shared(first, database, places, told)


def _shared(
    first: _Database, second: _Database, places: Places, told: set[tuple[str, str]]
) -> Iterator[Problem]:
    """At each microservice's ``id`` (their database names come from it), or at each
    tenant's ``id`` when the two are tenants of one microservice."""
    here, there = (_database_source(d, places) for d in (first, second))
    if here.where() == there.where():
        here, there = (places.tenant(s, d.tenant) or s for s, d in ((here, first), (there, second)))
    for (source, database), (other, other_database) in (
        ((here, first), (there, second)),
        ((there, second), (here, first)),
    ):
        if (source.where(), other.where()) not in told:
            told.add((source.where(), other.where()))
            message = (
                f"in {source.environment} the database {first.name!r} of {_owner(database)} is also the"
                f" database of {_owner(other_database)} ({other.where()}): two Runtimes or tenants must"
                " never share a database"
            )
            yield source.problem(message)


def _database_source(database: _Database, places: Places) -> Source:
    source = places.source(database.obj)
    return Source(source.document, ("id",), source.origin, source.searched, source.environment)


def _owner(database: _Database) -> str:
    return f"microservice {database.obj.labels.get('microservice')} for tenant {database.tenant}"


def _databases(obj: RenderedObject) -> Iterator[_Database]:
    for tenant, resources in _runtime_resources(obj).items():
        for resource in resources.values() if isinstance(resources, Mapping) else ():
            if not isinstance(resource, Mapping) or not isinstance(resource.get("database"), str):
                continue
            servers = resource.get("servers") or [_mongo_host(str(resource.get("host", "")))]
            for server in servers:
                yield _Database(obj, str(tenant), str(server), resource["database"])


def _mongo_host(url: str) -> str:
    return url.removeprefix("mongodb://").split("/")[0].rsplit(":", 1)[0]


def _runtime_resources(obj: RenderedObject) -> Mapping[str, Any]:
    """The Runtime's resources.json of a ``-dolittle`` ConfigMap. Written as a literal
    block, its lines are JSON as they stand: the indentation is whitespace to JSON too."""
    text: Any = None
    head = obj.text.find("\n  resources.json: ")
    if obj.data is None and head >= 0:
        line_end = obj.text.find("\n", head + 1)
        value = obj.text[head + len("\n  resources.json: ") : line_end]
        with suppress(UnusualText):
            text = (
                obj.text[line_end : value_end(obj.text, line_end, 2)]
                if value[:1] == "|"
                else read_scalar(value)
            )
    if text is None:
        text = value_at(
            obj.data if obj.data is not None else read_libyaml(obj.text), "data", "resources.json"
        )
    try:
        resources = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return resources if isinstance(resources, Mapping) else {}
