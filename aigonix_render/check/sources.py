"""Where a rendered thing comes from: the input document and node each problem is told at.

An object's folder and labels point back to its microservice, environment, application,
tenant or delivery (``Places``); a value the API server refuses is found where the input
wrote it (``problem_at_input``), else the problem stands at the object's source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from aigonix_render.check.objects import Finding, RenderedObject, spec_of
from aigonix_render.check.reader import value_at
from aigonix_render.foundation import Problem, record, replace
from aigonix_render.load import Tree
from aigonix_render.model import Model
from aigonix_render.render import DELIVERY_FOLDER, environment_folder, shared_folder

PathPart = str | int


class _Document(Protocol):
    """An input document that knows the positions of its nodes (``documents.Document``)."""

    @property
    def path(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...

    def problem(
        self, path: Sequence[PathPart], message: str, at_key: bool = False, warning: bool = False
    ) -> Problem: ...


@record
class Source:
    """The input node a rendered thing comes from, and the documents its values come from."""

    document: _Document | None
    path: tuple[PathPart, ...]
    origin: str
    searched: tuple[_Document, ...] = ()
    environment: str | None = None
    at_key: bool = False

    def problem(self, message: str, path: Sequence[PathPart] | None = None) -> Problem:
        if self.document is None:
            return Problem("aigonix.yaml", 1, 1, message)
        if path is None:
            return self.document.problem(self.path, message, at_key=self.at_key)
        return self.document.problem(path, message)

    def where(self) -> str:
        problem = self.problem("")
        return f"{problem.file}:{problem.line}:{problem.column}"


# The labels that say where an object belongs; others (``infrastructure``) say what it is.
_SCOPES = frozenset({"tenant", "application", "environment", "microservice"})


@record
class Places:
    """What the output folders and the labels of rendered objects point back to."""

    tree: Tree
    environments: Mapping[str, tuple[str, str]]
    shared: Mapping[str, str]
    clusters: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, model: Model, tree: Tree) -> Places:
        environments, shared = {}, {}
        clusters: dict[str, set[str]] = defaultdict(set)
        for app_env in model.environments:
            app, env = app_env.application.name, app_env.environment.name
            environments[environment_folder(app, env)] = (app, env)
            shared[shared_folder(app)] = app
            for folder in (environment_folder(app, env), shared_folder(app)):
                clusters[folder].add(app_env.environment.cluster_name)
        frozen = {folder: frozenset(found) for folder, found in clusters.items()}
        return cls(tree, environments, shared, frozen)

    def destinations(self, obj: RenderedObject) -> frozenset[str]:
        """Where an object is applied: its environments' clusters. A delivery folder is
        applied to one cluster (its Flux) or to Argo CD's; objects in different clusters
        never meet, and delivery kinds meet no application object."""
        clusters = self.clusters.get(obj.folder)
        return frozenset({obj.folder}) if clusters is None else clusters

    def source(self, obj: RenderedObject) -> Source:
        labels = obj.labels
        app = str(labels.get("application", ""))
        if obj.folder in self.environments:
            app, env = self.environments[obj.folder]
            if "microservice" in labels:
                return self._microservice(app, env, str(labels["microservice"]))
            found = self._environment(app, env)
            extra = [f"{k}={v}" for k, v in labels.items() if k not in _SCOPES and "/" not in str(k)]
            return replace(found, origin=", ".join([found.origin, *extra]))
        if obj.folder in self.shared:
            return self._application(self.shared[obj.folder])
        if obj.path.startswith(f"{DELIVERY_FOLDER}/"):
            return self._delivery(obj, app)
        return self._application(app)

    def folder_source(self, folder: str) -> Source:
        if folder in self.environments:
            return self._environment(*self.environments[folder])
        return self._application(self.shared.get(folder, ""))

    def _microservice(self, app: str, env: str, name: str) -> Source:
        folder = self._application_folder(app)
        found = [
            ms.document
            for ms in (folder.microservices if folder else ())
            if str(ms.document.data.get("name", "")).lower() == name.lower()
        ]
        if not found or folder is None:
            return self._environment(app, env)
        searched = (found[0], folder.document, *self._customer())
        return Source(found[0], ("name",), f"microservice {name} in {env}", searched, env)

    def _environment(self, app: str, env: str) -> Source:
        folder = self._application_folder(app)
        if folder is None:
            return self._application(app)
        searched = (folder.document, *self._customer())
        path = ("environments", env)
        return Source(folder.document, path, f"environment {env} of {app}", searched, env, at_key=True)

    def _application(self, app: str) -> Source:
        folder = self._application_folder(app)
        if folder is None:
            customer = self._customer()
            return Source(customer[0] if customer else None, ("name",), "the customer", customer)
        return Source(folder.document, ("name",), f"application {app}", (folder.document, *self._customer()))

    def _delivery(self, obj: RenderedObject, app: str) -> Source:
        """A Flux Kustomization or Argo CD Application: the folder it syncs."""
        spec = spec_of(obj)
        path = value_at(spec, "path") or value_at(spec, "source", "path")
        synced = "/" + path.strip("/").removeprefix("./") if isinstance(path, str) else ""
        for folder in [*self.environments, *self.shared]:
            if synced.endswith(f"/{folder}"):
                found = self.folder_source(folder)
                return Source(
                    found.document,
                    found.path,
                    f"the delivery of {folder}",
                    found.searched,
                    found.environment,
                    found.at_key,
                )
        customer = self._customer()
        return Source(customer[0] if customer else None, ("gitops",), f"the delivery of {app}", customer)

    def _application_folder(self, app: str) -> Any:
        return next((a for a in self.tree.applications if a.document.data.get("name") == app), None)

    def _customer(self) -> tuple[_Document, ...]:
        return (self.tree.customer,) if self.tree.customer is not None else ()

    def tenant(self, source: Source, tenant_id: str) -> Source | None:
        """A customer tenant's ``id`` in the application environment ``source`` is in."""
        for document in source.searched:
            env = (document.data.get("environments") or {}).get(source.environment or "")
            tenants = env.get("tenants") if isinstance(env, Mapping) else None
            for index, tenant in enumerate(tenants if isinstance(tenants, list) else []):
                if str(tenant.get("id", "")).lower() == tenant_id.lower():
                    path = ("environments", source.environment or "", "tenants", index, "id")
                    return Source(
                        document,
                        path,
                        f"tenant {tenant_id} in {source.environment}",
                        source.searched,
                        source.environment,
                    )
        return None


def problem_at_input(source: Source, finding: Finding) -> Problem:
    """At the input node that holds the offending value, else at the object's source."""
    message = f"{finding.field} {finding.message}"
    if finding.value is not None:
        keys = tuple(k for k in re.split(r"[.\[\]]", finding.field) if k and not k.isdigit())
        for document in source.searched:
            path = _find(document.data, finding.value, keys, source.environment)
            if path is not None:
                return document.problem(path, message)
    return source.problem(message)


def _find(data: Any, wanted: Any, keys: tuple[str, ...], environment: str | None) -> list[PathPart] | None:
    """The input node whose value is ``wanted`` (or passes it, when it is a test): the one
    whose keys end most like the rendered field's; of two alike, this environment's override."""
    test = wanted if callable(wanted) else lambda value: _same(value, wanted)
    best: tuple[int, int, list[PathPart]] | None = None
    for path, value in _scalars(data, []):
        env = path[1] if len(path) > 1 and path[0] == "environments" else None
        if (env is not None and env != environment) or not test(value):
            continue
        score = (_common_suffix([p for p in path if isinstance(p, str)], keys), int(env is not None), path)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def _same(value: Any, wanted: Any) -> bool:
    return not isinstance(value, (dict, list)) and str(value).lower() == str(wanted).lower()


def _common_suffix(path: list[str], keys: tuple[str, ...]) -> int:
    count = 0
    for a, b in zip(reversed(path), reversed(keys), strict=False):
        if a != b:
            break
        count += 1
    return count


def _scalars(node: Any, path: list[PathPart]) -> Iterator[tuple[list[PathPart], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalars(value, [*path, key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _scalars(value, [*path, index])
    else:
        yield path, node
