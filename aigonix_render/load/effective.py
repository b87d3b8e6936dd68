"""What a microservice is in one environment: overrides merged, files chosen, where it runs.

Shared by validation (stage 2) and the model (stage 3), so both answer "where is this
microservice deployed" and "what does it look like in Prod" with the same function. Works
on the loaded documents' plain data; knows nothing of the model's types.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from aigonix_render.load.values import ConfigFile, MicroserviceFolder


def merged_document(data: Mapping[str, Any], environment: str) -> dict[str, Any]:
    """The microservice document with its ``environments.<environment>`` override merged in."""
    base = {k: v for k, v in data.items() if k != "environments"}
    override = (data.get("environments") or {}).get(environment) or {}
    return deep_merge(base, override)


def effective_resources(
    data: Mapping[str, Any], environment: str, container: str, defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """A container's resources: the platform's defaults, then the document's, then the
    environment's. ``null`` at either level removes what lies beneath, default included
    (merging the override first would let the default return under a removed value)."""
    override = (data.get("environments") or {}).get(environment) or {}
    merged = dict(defaults)
    for layer in (data, override):
        merged = deep_merge(merged, (layer.get(container) or {}).get("resources") or {})
    return merged


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; other values replace; ``None`` removes the key."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def override_path(data: Mapping[str, Any], environment: str, path: list[Any]) -> list[Any]:
    """Where a merged value comes from: the environment's override if it sets the value,
    else the document's own place (so a problem points at the line to change)."""
    override: Any = (data.get("environments") or {}).get(environment) or {}
    for part in path:
        override = override.get(part) if isinstance(override, Mapping) else None
    return ["environments", environment, *path] if override is not None else path


def effective_files(folder: MicroserviceFolder, environment: str) -> tuple[ConfigFile, ...]:
    """Common files, with same-named environment files replacing them, sorted by name."""
    files = {f.name: f for f in folder.files}
    files.update({f.name: f for f in folder.environment_files.get(environment, ())})
    return tuple(files[name] for name in sorted(files))


def deployed_environments(
    application: Mapping[str, Any], microservice: Mapping[str, Any], declared: Collection[str]
) -> list[str]:
    """The environments a microservice runs in, sorted: its ``deployTo``, else all of its
    application's; only those the application has and the customer ``declared``."""
    own = application["environments"]
    wanted = microservice.get("deployTo") or own
    return sorted(e for e in wanted if e in own and e in declared)


class _Aliased(Protocol):
    @property
    def alias(self) -> str: ...


T = TypeVar("T", bound=_Aliased)


def tenant_pairs(
    consumers: Sequence[T], producers: Sequence[T], explicit: Sequence[Mapping[str, str]] | None
) -> list[tuple[T, T | None]]:
    """Consumer tenants with the producer tenant each reads from: by alias unless mapped."""
    by_alias = {t.alias.lower(): t for t in producers}
    if explicit is None:
        return [(c, by_alias.get(c.alias.lower())) for c in consumers]
    consumer_by_alias = {t.alias.lower(): t for t in consumers}
    return [
        (consumer_by_alias[m["consumer"].lower()], by_alias.get(m["producer"].lower()))
        for m in explicit
        if m["consumer"].lower() in consumer_by_alias
    ]
