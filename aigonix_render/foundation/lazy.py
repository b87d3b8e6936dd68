"""A package that offers its modules' names without importing them first (PEP 562).

``generate`` runs for every Argo CD Application on every commit, so its start-up matters: a
package's ``__init__`` that imported every module it offers would load, for every command,
what only some commands run (cryptography for sealing, the output writer, the schemas).
Such a package lists where each name it offers lives and sets ``__getattr__ =
lazy_exports(__name__, HOMES)``: a name's module is imported the first time the name is
asked for, and the name is then kept in the package like an eager import would. Its
``if TYPE_CHECKING:`` block imports the same names, so mypy and readers see them as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each of its modules (by its
    name inside the package) to the names it offers through the package."""
    where = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:  # a submodule (``from package import module``) or a mistake
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        home = f"{package}.{module}"
        __import__(home)  # not importlib.import_module: ``python -X importtime`` sees this one
        value = getattr(sys.modules[home], name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
