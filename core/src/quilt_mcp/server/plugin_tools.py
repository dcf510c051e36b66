"""Registering the tools plugins contribute through the ``quilt_mcp_tools`` hook.

A ``PluginTool.fn(ops, **arguments)`` is synchronous and receives the chosen
backend first; the server exposes it with that first parameter removed, runs
it in a worker thread after checking ``requires``, and reports its errors as
it does for the core tools. A tool whose name is not snake_case or is
already taken is skipped with a warning: one plugin's mistake never stops
the server.
"""

from __future__ import annotations

import inspect
import logging
import re
import typing
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import anyio
from fastmcp import FastMCP
from fastmcp.tools import Tool
from mcp_types import ToolAnnotations

from quilt_mcp.server.backend import BackendSession
from quilt_mcp.server.errors import reports_errors
from quilt_mcp.server.tools import META_KEY
from quilt_mcp.tools_api import PluginTool

log = logging.getLogger("quilt_mcp.server")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def register_plugin_tools(mcp: FastMCP, session: BackendSession, taken: Iterable[str]) -> list[str]:
    """Add every plugin tool ``session.host`` offers; return the names added.

    Writing tools (``read_only=False``) are left out in read-only mode.
    """
    names = set(taken)
    added = []
    for plugin, tool in session.host.tools():
        problem = _problem(tool, names)
        if problem:
            log.warning("skipping tool %r from plugin %r: %s", getattr(tool, "name", tool), plugin, problem)
            continue
        if not tool.read_only and session.settings.read_only:
            continue
        mcp.add_tool(
            Tool.from_function(
                reports_errors(tool.name, _bind(tool, session)),
                name=tool.name,
                description=tool.description,
                annotations=ToolAnnotations(
                    read_only_hint=tool.read_only,
                    destructive_hint=tool.destructive,
                    idempotent_hint=tool.idempotent,
                    open_world_hint=tool.open_world,
                ),
                meta={META_KEY: {"operation": None, "plugin": plugin}},
            )
        )
        names.add(tool.name)
        added.append(tool.name)
    return added


def _problem(tool: Any, taken: set[str]) -> str | None:
    if not isinstance(tool, PluginTool):
        return f"quilt_mcp_tools must return PluginTool objects, got {type(tool).__name__}"
    if not SNAKE_CASE.match(tool.name):
        return "its name is not snake_case"
    if tool.name in taken:
        return "a tool with that name already exists"
    return None


def _bind(tool: PluginTool, session: BackendSession) -> Callable[..., Any]:
    """An async function with ``tool.fn``'s signature minus ``ops``, calling it with the backend."""
    signature = inspect.signature(tool.fn)
    hints = typing.get_type_hints(tool.fn, include_extras=True)
    parameters = list(signature.parameters.values())[1:]

    async def run(**arguments: Any) -> Any:
        ops = (await session.open()).ops
        for capability in sorted(tool.requires):
            session.require(ops, capability)
        return await anyio.to_thread.run_sync(partial(tool.fn, ops, **arguments))

    run.__name__ = tool.name
    run.__doc__ = tool.description
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in parameters],
        return_annotation=hints.get("return", signature.return_annotation),
    )
    run.__annotations__ = {p.name: hints[p.name] for p in parameters if p.name in hints}
    if "return" in hints:
        run.__annotations__["return"] = hints["return"]
    return run
