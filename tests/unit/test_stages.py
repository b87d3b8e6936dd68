"""The pipeline's stages import only earlier ones: load < validate < model < render < seal < write.

Read from the source (every ``import``, lazy ones inside functions too), so a new module
must be given its place here before it can exist.
"""

from __future__ import annotations

import ast
import importlib

import pytest
from conftest import REPO

PACKAGE = REPO / "aigonix_render"
# Each module's stage; a module may import its own stage or an earlier one only.
STAGES: dict[str, int] = {
    **dict.fromkeys(
        ("errors", "problems", "names", "platform", "yaml_text", "age_keys", "schema_files", "output"), 0
    ),
    **dict.fromkeys(("fast_yaml", "documents", "load", "effective", "inputs"), 1),
    **dict.fromkeys(("validate", "rules", "horizon_rules", "sops_files", "adoption_rules"), 2),
    "model": 3,
    **dict.fromkeys(("render", "output_check", "immutable"), 4),
    **dict.fromkeys(("seal", "sops", "sops_age"), 5),
    "write": 6,
    **dict.fromkeys(
        (
            "pipeline",
            "generate",
            "review",
            "edit",
            "init",
            "show",
            "reporter",
            "pr_comment",
            "importer",
            "progress",
            "cli",
            "__main__",
            "__init__",
        ),
        7,
    ),
}
ORDER = ["the foundation", "load", "validate", "model", "render", "seal", "write", "the commands"]


def _modules() -> list[str]:
    """Module names as stages see them: a package's modules count as the package."""
    found = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.rglob("*.py")}
    return sorted(found - {"__pycache__"})


def _imports(module: str) -> set[str]:
    files = (
        sorted((PACKAGE / module).rglob("*.py"))
        if (PACKAGE / module).is_dir()
        else [PACKAGE / f"{module}.py"]
    )
    found: set[str] = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= _ours(node.module, [alias.name for alias in node.names])
            elif isinstance(node, ast.Import):
                found |= {part for alias in node.names for part in _ours(alias.name, [])}
    return found - {module}


def _ours(module: str, names: list[str]) -> set[str]:
    if module == "aigonix_render":
        return {name for name in names if name in STAGES}
    if module.startswith("aigonix_render."):
        return {module.split(".")[1]}
    return set()


def test_every_module_has_a_stage() -> None:
    assert [m for m in _modules() if m not in STAGES] == []


@pytest.mark.parametrize("module", _modules())
def test_no_stage_imports_a_later_one(module: str) -> None:
    later = sorted(i for i in _imports(module) if STAGES.get(i, 99) > STAGES[module])
    assert later == [], f"{module} ({ORDER[STAGES[module]]}) imports later stages: {later}"


def test_every_module_imports_in_stage_order() -> None:
    """Every module imports, earliest stage first, in this one process (the graph test
    above is what forbids a later stage; this one proves the modules load at all)."""
    for module in sorted(_modules(), key=lambda m: STAGES[m]):
        if module != "__main__":
            importlib.import_module(f"aigonix_render.{module}".removesuffix(".__init__"))
