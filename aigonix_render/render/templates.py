"""The run's Jinja2 environment and its filters: the only way a value enters a template.

``y`` writes a scalar, ``key`` a mapping key, ``mapping`` a block of scalars with sorted
keys and ``metadata`` an object's ``metadata:`` block, all through ``yaml_text``, so no input
can change a document's shape. Every template sees ``platform`` too: ports and Dolittle
file lists are never spelled in a template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import jinja2

from aigonix_render.foundation import key, package_folder, platform, scalar
from aigonix_render.render.meta import Meta
from aigonix_render.render.template_cache import template_cache


class Templates:
    """One Jinja2 environment per run, strict about undefined names."""

    def __init__(self) -> None:
        folder = package_folder("aigonix_render.templates")
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
        )
        options = ("trim_blocks", "lstrip_blocks", "keep_trailing_newline", "autoescape")
        self.environment.bytecode_cache = template_cache(
            ", ".join(f"{o}={getattr(self.environment, o)}" for o in options)
        )
        self.environment.filters.update(y=scalar, key=key, mapping=mapping, metadata=metadata)
        self.environment.globals["platform"] = platform
        self._loaded: dict[str, jinja2.Template] = {}

    def render(self, template: str, **context: Any) -> str:
        """The template with ``context``: Jinja2's ``Template.render`` without its per-call
        costs (a template lookup that stats the file, a copy of the context), about a tenth
        of rendering 20,000 objects. Each template is loaded once per run."""
        loaded = self._loaded.get(template)
        if loaded is None:
            loaded = self._loaded[template] = self.environment.get_template(template)
        try:
            return "".join(loaded.root_render_func(loaded.new_context(context)))
        except Exception:  # as Template.render: the traceback points into the template
            self.environment.handle_exception()


def mapping(values: Mapping[str, object] | Iterable[tuple[str, object]], indent: int) -> str:
    """A block mapping of scalars, keys sorted, each key at column ``indent``."""
    items = tuple(sorted(dict(values).items()))
    if all(isinstance(v, str) for _, v in items) and len(items) <= 12:
        return _string_mapping(items, indent)
    return _lines(items, indent)


@lru_cache(maxsize=4096)
def _string_mapping(items: tuple[tuple[str, str], ...], indent: int) -> str:
    """Labels, selectors and annotations repeat on every object of a microservice."""
    return _lines(items, indent)


def _lines(items: tuple[tuple[str, object], ...], indent: int) -> str:
    pad = " " * indent
    return "\n".join(f"{pad}{key(k)}: {scalar(v, indent)}" for k, v in items)


def metadata(meta: Meta) -> str:
    """The ``metadata:`` block of an object, keys sorted."""
    lines = ["metadata:"]
    if meta.annotations:
        lines += ["  annotations:", mapping(meta.annotations, 4)]
    lines += ["  labels:", mapping(meta.labels, 4), f"  name: {scalar(meta.name, 2)}"]
    if meta.namespace:
        lines.append(f"  namespace: {scalar(meta.namespace, 2)}")
    return "\n".join(lines)
