"""Every install hint, in code and docs, names a distribution this workspace defines, under a free name."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from quilt_mcp.distributions import CORE, install_command
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import no_backend_hint

ROOT = Path(__file__).resolve().parents[2]
# Distribution names on PyPI that belong to other projects: ours must never be one of them.
TAKEN_ON_PYPI = frozenset({"quilt-mcp"})
# What an install hint looks like: the target after pip install / uvx --from, or any name[extras].
TARGET = re.compile(r"""(?:pip install(?: -U)?|--from|"--from",)\s+["']?([A-Za-z0-9][\w.-]*)(?:\[([\w,-]+)\])?""")
WITH_EXTRAS = re.compile(r"""["'` ](quilt[\w.-]*)\[([\w,-]+)\]""")


def workspace_distributions() -> dict[str, frozenset[str]]:
    """Each workspace member's distribution name and the extras it defines."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = {}
    for member in root["tool"]["uv"]["workspace"]["members"]:
        project = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]
        found[project["name"]] = frozenset(project.get("optional-dependencies", {}))
    return found


def declared_dependencies() -> set[str]:
    """Every third-party distribution some workspace member depends on (quilt3 among them)."""
    names = set()
    for path in [ROOT / "pyproject.toml", *(ROOT / m / "pyproject.toml" for m in _members())]:
        project = tomllib.loads(path.read_text()).get("project", {})
        for spec in project.get("dependencies", []):
            names.add(Requirement(spec).name)
    return names


def _members() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]


def shipped_text_files() -> list[Path]:
    """Tracked docs, sources and configs, tests aside (they quote hints to check them)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [
        ROOT / name
        for name in listed
        if not name.startswith("tests/") and name.endswith((".md", ".py", ".toml", ".ini")) or name.startswith(".ci/")
    ]


def hints_in(text: str) -> list[tuple[str, str | None]]:
    return [(m[1], m[2]) for m in TARGET.finditer(text)] + [(m[1], m[2]) for m in WITH_EXTRAS.finditer(text)]


def test_no_distribution_of_the_workspace_uses_a_name_taken_on_pypi():
    assert not set(workspace_distributions()) & TAKEN_ON_PYPI


def test_every_install_hint_in_docs_and_code_names_a_workspace_distribution_and_extra():
    ours = workspace_distributions()
    allowed = set(ours) | declared_dependencies() | {"uv"}
    wrong = []
    for path in shipped_text_files():
        for name, extras in hints_in(path.read_text()):
            if not name.startswith("quilt") and not extras:
                continue  # a third-party tool in a hint (uv, tox-uv) is not ours to name
            if name not in allowed or (extras and not set(extras.split(",")) <= ours.get(name, frozenset())):
                wrong.append(f"{path.relative_to(ROOT)}: {name}[{extras or ''}]")
    assert not wrong, wrong


def test_the_hints_the_code_builds_name_the_core_with_its_own_extras():
    extras = workspace_distributions()[CORE]
    built = [no_backend_hint(PluginHost.from_plugins({})), *(install_command(e) or "" for e in extras)]

    assert all(built)
    for name, used in hints_in("\n".join(built)):
        assert name == CORE and set((used or "").split(",")) <= extras
    assert install_command("ghost") is None
