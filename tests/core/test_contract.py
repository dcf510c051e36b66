"""The plugin contract: backends import only contract modules, and contract modules never reach into the host."""

from __future__ import annotations

import ast
from pathlib import Path

import quilt_mcp

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core" / "src"


def _imports(path: Path) -> set[str]:
    """The ``quilt_mcp`` modules ``path`` imports (``from quilt_mcp import x`` counts ``quilt_mcp.x`` if a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "quilt_mcp"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "quilt_mcp":
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if _module_file(candidate) is not None:
                    found.add(candidate)
    return found


def _module_file(module: str) -> Path | None:
    base = CORE.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def test_backend_plugins_import_only_the_contract():
    for path in sorted((ROOT / "plugins").glob("*/src/**/*.py")):
        outside = _imports(path) - set(quilt_mcp.CONTRACT)
        assert not outside, f"{path.relative_to(ROOT)} imports host modules {sorted(outside)}"


def test_contract_modules_import_only_the_contract():
    for module in quilt_mcp.CONTRACT:
        path = _module_file(module)
        assert path is not None, f"{module} is listed in the contract but does not exist"
        outside = _imports(path) - set(quilt_mcp.CONTRACT)
        assert not outside, f"{module} imports host modules {sorted(outside)}"
