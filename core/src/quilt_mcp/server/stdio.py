"""Serving on stdio so that every request with an id gets an answer, even one the transport cannot read.

The MCP SDK's stdio transport parses each line with pydantic; a line it cannot
parse (JSON nested deeper than pydantic's limit of about 200 levels, a lone
surrogate escape such as ``\\ud800``, or valid JSON that is no JSON-RPC message)
reaches the server as a bare exception, which it only logs: the client waits for
ever. Here the transport reads its lines through ``_Lines``, which remembers the
line last handed out, and a pump between the transport and the server turns each
such exception into a JSON-RPC error for the id of that line.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from io import TextIOWrapper
from typing import TYPE_CHECKING, Any

import anyio
import mcp_types as types
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

if TYPE_CHECKING:
    from fastmcp import FastMCP

log = logging.getLogger(__name__)

_ID = re.compile(r'"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")')
HINT = (
    "Send one JSON-RPC message per line as valid UTF-8 JSON, nested at most about 200 levels deep and "
    "without lone surrogate escapes (\\ud800-\\udfff)."
)


class _Lines:
    """The lines of a text file, remembering the one last handed out (the one the transport is parsing)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.last = ""

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self.source:
            self.last = line
            yield line


def request_id(line: str) -> int | str | None:
    """The top-level ``id`` of a JSON-RPC line that failed to parse, if one can be found."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        found = _ID.search(line)  # too deep for json as well: the first "id" member
        if found is None:
            return None
        try:
            value = json.loads(found.group(1))
        except ValueError:
            return None
        return value if isinstance(value, int | str) else None
    if isinstance(message, dict) and isinstance(message.get("id"), int | str) and not isinstance(message["id"], bool):
        return message["id"]
    return None


def refusal(line: str, error: Exception) -> types.JSONRPCError | None:
    """The error answering ``line`` that the transport could not read, or None when it carries no id."""
    rid = request_id(line)
    if rid is None:
        return None
    detail = str(error).splitlines()
    reason = next((part.strip() for part in detail[1:] if part.strip()), detail[0] if detail else "unreadable")
    reason = reason.split(" [type=")[0]
    invalid_json = "Invalid JSON" in reason
    code = types.PARSE_ERROR if invalid_json else types.INVALID_REQUEST
    message = f"The request could not be read: {reason}. {HINT}"
    return types.JSONRPCError(jsonrpc="2.0", id=rid, error=types.ErrorData(code=code, message=message))


def _stdin_lines() -> _Lines:
    text = TextIOWrapper(os.fdopen(os.dup(0), "rb"), encoding="utf-8", errors="replace")
    return _Lines(anyio.wrap_file(text))


@asynccontextmanager
async def guarded_stdio_server() -> AsyncIterator[tuple[Any, Any]]:
    """``mcp.server.stdio.stdio_server`` whose unreadable requests are answered with an error, not dropped."""
    lines = _stdin_lines()
    async with stdio_server(stdin=lines) as (raw_read, write):  # type: ignore[arg-type]
        forward, read = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def pump() -> None:
            async with forward:
                async for item in raw_read:
                    reply = refusal(lines.last, item) if isinstance(item, Exception) else None
                    if reply is None:
                        await forward.send(item)
                        continue
                    log.warning("Refused an unreadable request (id %r): %s", reply.id, reply.error.message)
                    try:
                        await write.send(SessionMessage(reply))
                    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                        return

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pump)
            yield read, write
            tasks.cancel_scope.cancel()


async def run_stdio(server: FastMCP, log_level: str | None = None) -> None:
    """Serve ``server`` on stdio until the client disconnects, as ``FastMCP.run_stdio_async`` does."""
    from fastmcp.server.context import reset_transport, set_transport
    from fastmcp.utilities.logging import temporary_log_level

    token = set_transport("stdio")
    try:
        with temporary_log_level(log_level):
            async with server._lifespan_manager(), guarded_stdio_server() as (read, write):
                low = server._mcp_server
                await low.run(read, write, low.create_initialization_options())
    finally:
        reset_transport(token)
