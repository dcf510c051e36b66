"""Writing tools need a write scope: a JSON-RPC ``tools/call`` of one without it gets HTTP 403.

As the MCP authorization specification asks for a token lacking a scope an
operation needs, the answer is ``403`` with ``WWW-Authenticate: Bearer
error="insufficient_scope", scope="<write scope>", resource_metadata=...``,
so a client can ask its authorization server for the scope and retry.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Receive, Scope, Send

from quilt_mcp.http.limits import read_body, replay, send_error

WriteTools = Callable[[], Awaitable[frozenset[str]]]
"""Returns the names of the tools that write (asked once, on first need)."""


def called_tools(body: bytes) -> list[str]:
    """Names of the tools a JSON-RPC message (or batch) calls; empty when it is not valid JSON-RPC."""
    try:
        message: Any = json.loads(body)
    except ValueError:
        return []
    messages = message if isinstance(message, list) else [message]
    return [
        str(m["params"].get("name"))
        for m in messages
        if isinstance(m, dict) and m.get("method") == "tools/call" and isinstance(m.get("params"), dict)
    ]


class WriteScopeGate:
    """Refuses writing tool calls from callers without ``scope``; for ``paths`` only."""

    def __init__(
        self, app: ASGIApp, *, paths: Iterable[str], scope: str, write_tools: WriteTools, resource_metadata_url: str
    ) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.scope = scope
        self.write_tools = write_tools
        self.resource_metadata_url = resource_metadata_url
        self._writing: frozenset[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if (
            scope["type"] != "http"
            or scope["path"] not in self.paths
            or not isinstance(user, AuthenticatedUser)
            or self.scope in user.scopes
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive, limit=1 << 62)  # already bounded by ServerLimits
        if self._writing is None:
            self._writing = await self.write_tools()
        denied = sorted(set(called_tools(body)) & self._writing)
        if denied:
            challenge = (
                f'Bearer error="insufficient_scope", scope="{self.scope}", '
                f'resource_metadata="{self.resource_metadata_url}"'
            )
            await send_error(
                send,
                403,
                "insufficient_scope",
                f"{', '.join(denied)} writes and your token lacks the '{self.scope}' scope; "
                f"ask your authorization server for a token with it.",
                [("www-authenticate", challenge)],
            )
            return
        await self.app(scope, replay(body, receive), send)
