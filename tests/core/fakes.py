"""Small in-test backend plugins and a fake-distribution builder for discovery tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.models import BackendInfo
from quilt_mcp.tools_api import PluginTool


class FakeBackend:
    """A plugin object whose detection answer is fixed at construction."""

    def __init__(
        self,
        name: str,
        priority: int,
        *,
        usable: bool | None = True,
        capabilities: frozenset[str] = frozenset({"read"}),
        tools: tuple[PluginTool, ...] = (),
        detect_error: Exception | None = None,
        setup_hint: str | None = None,
        tools_error: Exception | None = None,
    ) -> None:
        self.name = name
        self.priority = priority
        self.usable = usable
        self.capabilities = capabilities
        self.tools = tools
        self.detect_error = detect_error
        self.setup_hint = f"Give {name} a test credential." if setup_hint is None else setup_hint
        self.tools_error = tools_error
        self.opened: list[Candidate] = []
        self.detect_calls = 0

    @hookimpl
    def quilt_mcp_backend_info(self) -> BackendInfo:
        return BackendInfo(
            name=self.name,
            version="9.9",
            priority=self.priority,
            capabilities=self.capabilities,
            summary=f"{self.name} test backend",
            setup_hint=self.setup_hint,
        )

    @hookimpl
    def quilt_mcp_detect(self, context: AuthContext) -> Candidate | None:
        self.detect_calls += 1
        if self.detect_error:
            raise self.detect_error
        if self.usable is None:
            return None
        reason = "test credential present" if self.usable else "no test credential"
        return Candidate(self.name, self.priority, f"{self.name}-user", reason, usable=self.usable)

    @hookimpl
    def quilt_mcp_open(self, candidate: Candidate, context: AuthContext) -> object | None:
        if candidate.backend != self.name:
            return None
        self.opened.append(candidate)
        return f"ops-of-{self.name}"

    @hookimpl
    def quilt_mcp_tools(self) -> tuple[PluginTool, ...]:
        if self.tools_error:
            raise self.tools_error
        return self.tools


GOOD_PLUGIN_SOURCE = '''
from quilt_mcp import hookimpl
from quilt_mcp.auth import Candidate
from quilt_mcp.models import BackendInfo

@hookimpl
def quilt_mcp_backend_info():
    return BackendInfo(name="{name}", version="1.0", priority={priority}, capabilities=frozenset({{"read"}}), summary="fake")

@hookimpl
def quilt_mcp_detect(context):
    return Candidate("{name}", {priority}, "someone", "fake credential")

@hookimpl
def quilt_mcp_open(candidate, context):
    return None
'''


def make_distribution(root: Path, dist: str, group: str, modules: dict[str, str]) -> None:
    """Write an installed-looking distribution ``dist`` into ``root`` (to put on sys.path).

    ``modules`` maps entry-point name to module source; each becomes module
    ``{dist}_{name}`` registered under ``group``.
    """
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = [f"[{group}]"]
    for name, source in modules.items():
        module = f"{dist}_{name}"
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        lines.append(f"{name} = {module}")
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
