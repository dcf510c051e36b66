"""The plugin's modules import each other without a cycle, counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import quilt_mcp_quilt3

PACKAGE = quilt_mcp_quilt3.__name__
ROOT = Path(quilt_mcp_quilt3.__file__).parent


def imports_of(path: Path) -> set[str]:
    """The sibling modules ``path`` imports anywhere in its body (``from pkg import mod`` included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            rest = node.module.removeprefix(PACKAGE).lstrip(".")
            found |= {rest.split(".")[0]} if rest else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(f"{PACKAGE}.")}
    return found - {path.stem}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as the modules along it, or None."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target] if target in path else [module, target]
            if target not in state:
                found = visit(target, [*path, target])
                if found:
                    return found
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module, [module])
            if found:
                return found
    return None


def test_the_plugin_modules_import_each_other_without_a_cycle() -> None:
    graph = {path.stem: imports_of(path) for path in ROOT.glob("*.py")}

    assert graph["ops"], "the graph must see ops.py's imports"
    assert cycle(graph) is None, f"import cycle: {' -> '.join(cycle(graph) or [])}"


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycle({"ops": {"plugin"}, "plugin": {"ops"}}) == ["ops", "plugin", "ops"]
