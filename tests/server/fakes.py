"""Small in-test plugins for the server tests: real hook implementations, no backend behind them."""

from __future__ import annotations

import copy

from collections.abc import Sequence
from typing import Any

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.models import BackendInfo
from quilt_mcp.ops import QuiltOps
from quilt_mcp.tools_api import PluginTool


class InfoPlugin:
    """A plugin that declares a backend and its capabilities but never detects a credential."""

    def __init__(self, name: str, capabilities: frozenset[str], tools: Sequence[PluginTool] = ()) -> None:
        self.name = name
        self.capabilities = capabilities
        self.tools = tuple(tools)

    @hookimpl
    def quilt_mcp_backend_info(self) -> BackendInfo:
        return BackendInfo(
            name=self.name,
            version="1.0",
            priority=50,
            capabilities=self.capabilities,
            summary=f"{self.name} plugin",
            setup_hint=f"Set {self.name.upper()}_TOKEN.",
        )

    @hookimpl
    def quilt_mcp_detect(self, context: AuthContext) -> Candidate | None:
        return None

    @hookimpl
    def quilt_mcp_open(self, candidate: Candidate, context: AuthContext) -> QuiltOps | None:
        return None

    @hookimpl
    def quilt_mcp_tools(self) -> Sequence[PluginTool]:
        return self.tools


class OpeningPlugin(InfoPlugin):
    """A plugin that detects a usable credential and opens a given ``QuiltOps``; counts how often."""

    def __init__(
        self, name: str, ops: Any, *, registry: str | None = None, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(name, frozenset(getattr(ops, "capabilities", frozenset())))
        self.ops = ops
        self.registry = registry
        self.details = details or {}
        self.opened = 0

    @hookimpl
    def quilt_mcp_detect(self, context: AuthContext) -> Candidate | None:
        return Candidate(
            self.name, 150, f"{self.name}-identity", "test credential", registry=self.registry, details=self.details
        )

    @hookimpl
    def quilt_mcp_open(self, candidate: Candidate, context: AuthContext) -> QuiltOps | None:
        if candidate.backend != self.name:
            return None
        self.opened += 1
        return self.ops


def restricted(ops: QuiltOps, drop: set[str]) -> QuiltOps:
    """A copy of a real backend with a narrower set of capabilities, to provoke ``NotSupportedError``."""
    narrowed = copy.copy(ops)
    narrowed.capabilities = frozenset(ops.capabilities - drop)
    return narrowed


def exploding(ops: QuiltOps) -> QuiltOps:
    """A copy of a real backend whose ``list_packages`` fails the way a bug would (not a domain error)."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("secret-internal-detail")

    broken = copy.copy(ops)
    broken._list_packages = fail  # type: ignore[method-assign]
    return broken
