"""The contract for MCP tools a plugin contributes through ``quilt_mcp_tools``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel



@dataclass(frozen=True)
class PluginTool:
    """A tool a plugin adds to the server.

    ``fn(ops, **arguments)`` receives the chosen backend's ``QuiltOps`` first
    and the tool's arguments by keyword (annotated, so the server can build
    the input schema from its signature) and returns a Pydantic model.
    ``name`` must be snake_case and unique. ``requires`` lists the capabilities
    the chosen backend must have; ``read_only=False`` hides it in read-only mode.
    """

    name: str
    description: str
    fn: Callable[..., BaseModel]
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True
    open_world: bool = True
    requires: frozenset[str] = field(default_factory=frozenset)
