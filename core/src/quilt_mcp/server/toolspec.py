"""How a core tool is declared (``@tool``) and registered (``ToolSpec``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_types import ToolAnnotations

from quilt_mcp.ops import WRITE_OPERATIONS

META_KEY = "quilt_mcp"
"""Key of the tools' ``_meta`` entry: ``{"operation": <QuiltOps method or None>}``."""


@dataclass(frozen=True)
class ToolSpec:
    """How one tool is registered."""

    name: str
    operation: str | None
    title: str
    destructive: bool = False
    idempotent: bool = True
    open_world: bool = True

    @property
    def writes(self) -> bool:
        return self.operation in WRITE_OPERATIONS

    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            title=self.title,
            read_only_hint=not self.writes,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


def tool(operation: str | None, title: str, **hints: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a ``QuiltTools`` method as a tool exposing ``operation`` (None for the server's own tools)."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__tool_spec__ = ToolSpec(fn.__name__, operation, title, **hints)  # type: ignore[attr-defined]
        return fn

    return mark
