"""The pipeline's stages import only earlier ones, read from the folders themselves.

The stages are the packages at the top of ``aigonix_render/``, in the order that
``aigonix_render/__init__.py`` lists them (``STAGES``): a module may import its own stage,
an earlier one and the foundations; the commands import stages, never the other way; and
``cli`` comes last. Every ``import`` is read from the source (lazy ones inside functions
too), so a new package is checked the moment its folder exists.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from conftest import REPO

import aigonix_render

PACKAGE = REPO / "aigonix_render"
ORDER: tuple[str, ...] = (*aigonix_render.STAGES, "cli", "__main__")


def _entries() -> list[str]:
    """What the top of the package holds: its packages and modules (``__init__`` aside)."""
    found = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    return sorted(found - {"__init__"})


def _files(entry: str) -> list[Path]:
    folder = PACKAGE / entry
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{entry}.py"]


def _module_name(file: Path) -> str:
    parts = file.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(file: Path) -> set[str]:
    """The dotted names of our modules (and the names imported from them) that ``file`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aigonix_render"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("aigonix_render")}
    return found


def _stage(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def test_the_top_holds_the_stages_in_order() -> None:
    assert _entries() == sorted(ORDER)
    assert len(ORDER) <= 12


@pytest.mark.parametrize("entry", _entries())
def test_no_stage_imports_a_later_one(entry: str) -> None:
    rank = ORDER.index(entry)
    later = sorted(
        f"{_module_name(file)} imports {name}"
        for file in _files(entry)
        for name in _imports(file)
        if (stage := _stage(name)) is not None and ORDER.index(stage) > rank
    )
    assert later == [], f"{entry} may import only earlier stages and the foundations"


@pytest.mark.parametrize("entry", _entries())
def test_no_module_imports_another_modules_private_names(entry: str) -> None:
    private = sorted(
        f"{_module_name(file)} imports {name}"
        for file in _files(entry)
        for name in _imports(file)
        if name.rsplit(".", 1)[-1].startswith("_") and not name.endswith("__version__")
    )
    assert private == []


@pytest.mark.parametrize("entry", _entries())
def test_another_stage_is_imported_from_its_package(entry: str) -> None:
    """What a stage offers is imported from the stage's package, not from its modules, except
    the commands (each imported from its own module, lazily) and ``seal.age`` (lazily)."""
    reached_in = sorted(
        f"{_module_name(file)} imports {name}"
        for file in _files(entry)
        for name in _imports(file)
        if _stage(name) not in (None, entry, "commands", "cli")
        and not name.startswith("aigonix_render.seal.age")
        and len(name.split(".")) > 3
    )
    assert reached_in == []


def test_no_module_is_longer_than_300_lines() -> None:
    lengths = {
        str(file.relative_to(PACKAGE)): len(file.read_text(encoding="utf-8").splitlines())
        for file in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > 300} == {}


def test_every_module_imports_in_stage_order() -> None:
    """Every module imports, earliest stage first, in this one process (the graph tests
    above forbid a later stage; this one proves the modules load at all)."""
    for entry in ORDER:
        for file in _files(entry):
            if file.name != "__main__.py":
                importlib.import_module(_module_name(file))


def _edges() -> dict[str, set[str]]:
    """Module → the modules of ours it names in an import (lazy imports too)."""
    modules = {_module_name(file): file for file in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for module, file in modules.items():
        targets = set()
        for name in _imports(file):
            while name not in modules and "." in name:
                name = name.rsplit(".", 1)[0]  # a name imported from a module: the module
            if name in modules and name != module:
                targets.add(name)
        edges[module] = targets
    return edges


def test_no_import_circle() -> None:
    """No module reaches itself through the imports it names (a package's ``__init__``
    importing its own modules is how a package offers them, not a circle)."""
    edges = _edges()
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(edges[module]):
            if target in path:
                circles.append([*path[path.index(target) :], target])
            elif not target.startswith(f"{module}.") and len(path) < 40:
                visit(target, [*path, target])

    for module in sorted(edges):
        visit(module, [module])
    assert circles == []


def test_the_wheel_ships_every_package() -> None:
    """pyproject.toml lists the packages by hand: a new stage folder must be listed, or the
    installed tool (pip install ., the plugin image) would fail to import it."""
    project = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    packages = project.split("\npackages = [", 1)[1].split("]", 1)[0]
    listed = {line.strip().strip('",') for line in packages.splitlines() if line.strip()}
    folders = {_module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert folders - listed == set()
