"""The packages that offer their names lazily (``foundation.lazy``, issue 22) offer exactly
what they did: every name of ``__all__`` is the object its module defines, the ``if
TYPE_CHECKING:`` imports (what mypy and readers see) name the same homes as ``HOMES``, and
importing the package imports none of its modules until a name is used."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from types import ModuleType

import pytest
from conftest import REPO

LAZY = ("aigonix_render.foundation", "aigonix_render.seal")


def package(name: str) -> ModuleType:
    return importlib.import_module(name)


def type_checking_homes(name: str) -> dict[str, str]:
    """Name → module, from the ``if TYPE_CHECKING:`` block of the package's ``__init__``."""
    source = (REPO / name.replace(".", "/") / "__init__.py").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                found |= {alias.name: statement.module for alias in statement.names}
    return found


@pytest.mark.parametrize("name", LAZY)
def test_every_offered_name_is_its_modules_object(name: str) -> None:
    offered = package(name)
    homes = {n: f"{name}.{module}" for module, names in offered.HOMES.items() for n in names}
    assert sorted(homes) == sorted(offered.__all__)
    for attribute, module in homes.items():
        assert getattr(offered, attribute) is getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize("name", LAZY)
def test_type_checking_imports_match_the_homes(name: str) -> None:
    offered = package(name)
    homes = {n: f"{name}.{module}" for module, names in offered.HOMES.items() for n in names}
    seen = type_checking_homes(name)
    if name == "aigonix_render.foundation":
        seen["lazy_exports"] = "aigonix_render.foundation.lazy"  # imported for real: it is the mechanism
    assert seen == homes


@pytest.mark.parametrize("name", LAZY)
def test_no_offered_name_is_a_submodules_name(name: str) -> None:
    """Importing a submodule sets it on its package under its name: an offered name equal to
    a submodule's would then be the module, not the thing offered, once that module loaded."""
    folder = REPO / name.replace(".", "/")
    submodules = {p.stem for p in folder.glob("*.py")} | {p.parent.name for p in folder.glob("*/__init__.py")}
    assert set(package(name).__all__) & submodules == set()


def test_an_unknown_name_is_an_attribute_error_and_a_submodule_still_imports() -> None:
    foundation = package("aigonix_render.foundation")
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        _ = foundation.nothing_here
    from aigonix_render.foundation import platform

    assert platform.__name__ == "aigonix_render.foundation.platform"


@pytest.mark.parametrize("name", LAZY)
def test_importing_the_package_imports_none_of_its_modules(name: str) -> None:
    probe = f"import sys, {name}; print(sorted(m for m in sys.modules if m.startswith('{name}.')))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(result.stdout)) - {"aigonix_render.foundation.lazy"}  # the mechanism
    assert loaded == set()
