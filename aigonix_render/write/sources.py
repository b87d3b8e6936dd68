"""Which input files each output folder's render reads, as ``inputs`` sources.

An application's folders (``<app>/_shared``, ``<app>/<env>``) read the customer file, the
registry credentials (at the path the customer file names, as it names it: the digest
also says where that path ends up), the whole application, and the manifests of every application its
event horizons tie it to, on either side (a consumer names the producer's microservice, a
producer consents to its consumers). ``_delivery`` reads the customer file and the
applications' manifests. Two branches that change different applications so change
different lines of the marker, and git merges them; two that change what one folder reads
change the same line, and git says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from aigonix_render.foundation import MANIFEST

if TYPE_CHECKING:
    from aigonix_render.load import ApplicationFolder, Tree
    from aigonix_render.model import Model

DELIVERY = "_delivery"


def folder_sources(tree: Tree, model: Model, paths: Iterable[str]) -> dict[str, list[str]]:
    """The sources of each output folder that holds one of ``paths``."""
    credentials = model.customer.registry_credentials
    customer = [MANIFEST, *([credentials] if credentials else [])]  # as named: see ``inputs``
    manifests = {app.folder: manifests_of(app) for app in tree.applications}
    by_name = _tree_folders(model)
    ties = application_ties(model)
    everything = [*customer, *(f"{folder}/" for folder in manifests)]
    sources: dict[str, list[str]] = {}
    for folder in sorted({path.rpartition("/")[0] for path in paths}):
        owner = by_name.get(output_application(folder))
        if owner is not None and folder.count("/") == 1:
            tied = [m for other in sorted(ties.get(owner, ())) for m in manifests.get(other, [])]
            sources[folder] = [*customer, f"{owner}/", *tied]
        elif folder.startswith(f"{DELIVERY}/"):
            sources[folder] = [*customer, *(f"{app}/{MANIFEST}" for app in manifests)]
        else:  # no folder aigonix-render renders today: everything, to be safe
            sources[folder] = everything
    return sources


def manifests_of(app: ApplicationFolder) -> list[str]:
    """The manifests of an application: what another's folders read of it when tied to it."""
    return [f"{app.folder}/{MANIFEST}", *(f"{ms.folder}/{MANIFEST}" for ms in app.microservices)]


def application_ties(model: Model) -> dict[str, set[str]]:
    """The application folders each application's event horizons tie it to, either side."""
    ties: dict[str, set[str]] = {}
    for subscription in model.subscriptions:
        consumer = subscription.consumer.application.folder
        producer = subscription.producer.application.folder
        if consumer != producer:
            ties.setdefault(consumer, set()).add(producer)
            ties.setdefault(producer, set()).add(consumer)
    return ties


def folder_claims(
    model: Model, folders: Iterable[str], claims: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Each application's ``claims`` (by application folder) on the first of its output
    folders among ``folders``: one line of its own in the marker, so that git merges two
    branches that changed two applications' claims without a conflict."""
    by_name = _tree_folders(model)
    placed: dict[str, tuple[str, ...]] = {}
    done: set[str] = set()
    for folder in sorted(folders):
        owner = by_name.get(output_application(folder))
        if owner is not None and folder.count("/") == 1 and owner not in done:
            done.add(owner)
            placed[folder] = claims[owner]
    return placed


def output_application(folder: str) -> str:
    """The application an output folder (``<app>/<env>``, ``<app>/_shared``) belongs to, by
    its name; the first part of any other folder (``_delivery``)."""
    return folder.partition("/")[0]


def _tree_folders(model: Model) -> dict[str, str]:
    """Each application's folder in the tree (``applications/<folder>``) by its name."""
    return {app.name: app.folder for app in model.applications}
