"""Stage 1, load: walking the fixed places of the whole tree → the parts of a ``Tree``.

The root's manifest (the Customer), every application in ``applications/`` with its
microservices, their ``files/``, ``environments/`` and secrets files, the application's
sealed files (``storage-account.yaml``, ``environments/<Env>/kafka-files.yaml``), and the
registry credentials the Customer names; and a problem for every ``aigonix.yaml`` at an unknown
place (``strays``). Each step is a ``place.Loading`` generator that yields the problems it finds.

Every folder is entered through ``place.listing`` and every file read through
``reading.read_file``, which refuse what cannot be input (a private key among it); a
config file is first asked ``Place.refused`` (a key file, ignored by git), as every YAML
file is in ``place.read_yaml``. Because every folder on the way is a real folder, only a
file that is itself a symlink can lead outside the repository, and only such a file is
resolved (resolving every path cost a tenth of ``validate``).
"""

from __future__ import annotations

import os
from pathlib import Path

from aigonix_render.foundation import (
    KAFKA_FILES,
    SECRETS,
    STORAGE_ACCOUNT,
    Problem,
    Severity,
    in_two,
    split_at,
    tree_relative,
    unpublished,
    worth_forking,
)
from aigonix_render.load.documents import Document
from aigonix_render.load.place import (
    Loading,
    Manifest,
    Place,
    absent,
    base_name,
    child_folders,
    join,
    listing,
    read_manifest,
    read_unparsed,
    read_yaml,
    run,
)
from aigonix_render.load.reading import TooLarge, inside_root, read_file
from aigonix_render.load.strays import stray_manifests
from aigonix_render.load.values import (
    CONFIG_MAP_LIMIT,
    ApplicationFolder,
    ConfigFile,
    MicroserviceFolder,
    Tree,
)


def whole_tree(place: Place, validated_before: frozenset[str] = frozenset()) -> Loading[Tree | None]:
    """The whole tree; the application folders in ``validated_before`` without parsing their
    secrets and sealed files (``ApplicationFolder.validated_before``)."""
    yield from stray_manifests(place)
    customer = yield from read_manifest(place, "", "Customer")
    applications = yield from _applications(place, _environment_count(customer), validated_before)
    registry = yield from read_registry(place, customer)
    return Tree(place.root, customer, registry, applications)


def _applications(
    place: Place, environments: int, validated_before: frozenset[str]
) -> Loading[tuple[ApplicationFolder, ...]]:
    """Every application; a large tree's on two cores (``foundation.in_two``): the later
    applications are read by a forked child meanwhile, and the problems come in the order
    one process meets them."""
    folders = (yield from child_folders(place, "applications")).entered
    weights = [_weight(place, folder) for folder in folders]
    if not worth_forking(sum(weights) * environments):
        return (yield from _read_applications(place, folders, validated_before))
    place.git.wait()  # git's answer read before the fork, by this process only
    cut = split_at(weights, PARENT_SHARE)
    (mine, my_problems), (theirs, their_problems) = in_two(
        lambda: run(_read_applications(place, folders[:cut], validated_before)),
        lambda: run(_read_applications(place, folders[cut:], validated_before)),
    )
    yield from my_problems
    yield from their_problems
    return (*mine, *theirs)


PARENT_SHARE = 0.45
"""The parent reads a little less than half: it also receives the child's applications."""


def _read_applications(
    place: Place, folders: list[str], validated_before: frozenset[str]
) -> Loading[tuple[ApplicationFolder, ...]]:
    found = []
    for folder in folders:
        application = yield from read_application(place, folder, validated_before=folder in validated_before)
        if application is not None:
            found.append(application)
    return tuple(found)


def _weight(place: Place, app: str) -> int:
    """About what loading an application costs: its microservices."""
    try:
        return len(os.listdir(place.path(f"{app}/microservices")))
    except OSError:
        return 0


def _environment_count(customer: Document | None) -> int:
    environments = customer.data.get("environments") if customer is not None else None
    return max(len(environments), 1) if isinstance(environments, dict) else 1


def read_application(
    place: Place, folder: str, manifest: Manifest | None = None, validated_before: bool = False
) -> Loading[ApplicationFolder | None]:
    """The application in ``folder``; ``manifest``: its manifest, read already. With
    ``validated_before``, its secrets and sealed files are read but not parsed
    (``ApplicationFolder.validated_before``)."""
    if manifest is None:
        document = yield from read_manifest(place, folder, "Application")
    else:
        yield from manifest.problems
        document = manifest.document
    parse = not validated_before
    microservices = yield from _microservices(place, folder, parse)
    if document is None:
        return None
    storage = yield from _sealed(place, f"{folder}/{STORAGE_ACCOUNT}", parse)
    kafka_files = yield from _kafka_files(place, folder, parse)
    return ApplicationFolder(folder, document, microservices, storage, kafka_files, validated_before)


def _sealed(place: Place, relative: str, parse: bool) -> Loading[Document | None]:
    """A SOPS-encrypted file of the application, when there is one (and ``parse``)."""
    if place.absent(relative):
        return None
    if not parse:
        yield from read_unparsed(place, relative)
        return None
    return (yield from read_yaml(place, relative, sensitive=True))


def _kafka_files(place: Place, app: str, parse: bool) -> Loading[dict[str, Document]]:
    """Each application environment's sealed ``kafka-files.yaml``, by its folder's name."""
    found: dict[str, Document] = {}
    for env in (yield from child_folders(place, f"{app}/environments")).entered:
        document = yield from _sealed(place, f"{env}/{KAFKA_FILES}", parse)
        if document is not None:
            found[base_name(env)] = document
    return found


def _microservices(place: Place, app: str, parse: bool) -> Loading[tuple[MicroserviceFolder, ...]]:
    found = []
    for folder in (yield from child_folders(place, f"{app}/microservices")).entered:
        document = yield from read_manifest(place, folder, "Microservice")
        if document is not None:
            found.append((yield from _microservice(place, folder, document, parse)))
    return tuple(found)


def _microservice(place: Place, folder: str, document: Document, parse: bool) -> Loading[MicroserviceFolder]:
    environments = yield from child_folders(place, f"{folder}/environments")
    env_files: dict[str, tuple[ConfigFile, ...]] = {}
    for env in environments.entered:
        env_files[base_name(env)] = yield from _files(place, f"{env}/files")
    secrets, unreadable = yield from _secrets(place, environments.entered, parse)
    unreadable |= {base_name(env) for env in environments.refused}
    files = yield from _files(place, f"{folder}/files")
    env_folders = {base_name(env): env for env in [*environments.entered, *environments.refused]}
    return MicroserviceFolder(folder, document, files, env_folders, env_files, secrets, frozenset(unreadable))


def _secrets(
    place: Place, environments: list[str], parse: bool
) -> Loading[tuple[dict[str, Document], set[str]]]:
    """Each environment's secrets file (when ``parse``), and the environments whose file
    could not be read."""
    secrets: dict[str, Document] = {}
    unreadable: set[str] = set()
    for env in (e for e in environments if not place.absent(f"{e}/{SECRETS}")):
        if not parse:
            if not (yield from read_unparsed(place, f"{env}/{SECRETS}")):
                unreadable.add(base_name(env))
            continue
        secret = yield from read_yaml(place, f"{env}/{SECRETS}", sensitive=True)
        if secret is None:
            unreadable.add(base_name(env))
        else:
            secrets[base_name(env)] = secret
    return secrets, unreadable


def _files(place: Place, folder: str) -> Loading[tuple[ConfigFile, ...]]:
    found = []
    for name in (yield from listing(place, folder)):
        config = yield from _config_file(place, join(folder, name))
        if config is not None:
            found.append(config)
    return tuple(found)


def _config_file(place: Place, relative: str) -> Loading[ConfigFile | None]:
    name, path = base_name(relative), place.path(relative)
    link = os.path.islink(path)
    if unpublished(name):
        message = f"{name!r} is left out: hidden files and editor leftovers never go into a ConfigMap"
        yield Problem(relative, 1, 1, message, Severity.WARNING)
    elif link and not inside_root(place.root, path):
        yield Problem(relative, 1, 1, "a symlink leading outside the repository cannot be a config file")
    elif os.path.isdir(path):
        yield Problem(
            relative, 1, 1, "folders are not allowed under files/ (a ConfigMap key cannot hold '/')"
        )
    elif refused := place.refused(relative, link):
        yield refused
    else:
        return (yield from _config_content(relative, path))
    return None


def _config_content(relative: str, path: str) -> Loading[ConfigFile | None]:
    read = read_file(Path(path), relative, CONFIG_MAP_LIMIT)
    if isinstance(read, Problem):
        yield read
        return None
    if isinstance(read, TooLarge):
        return ConfigFile(relative, base_name(relative), b"", read.size)
    return ConfigFile(relative, base_name(relative), read, len(read))


def read_registry(place: Place, customer: Document | None) -> Loading[Document | None]:
    credentials = (customer.data.get("registry") or {}) if customer else {}
    path = credentials.get("credentials") if isinstance(credentials, dict) else None
    if not isinstance(path, str) or not path:
        return None
    assert customer is not None
    target = place.root / path
    relative = None
    if not absent(str(target)):
        relative = tree_relative(place.root, target)
    if relative is None or place.untracked(relative) or place.untracked(os.path.normpath(path)):
        yield customer.problem(["registry", "credentials"], f"no such file in the repository: {path}")
        return None
    return (yield from read_yaml(place, relative, sensitive=True))
