"""Bounds that keep the server up: body size, requests in progress in total and per caller.

Two ASGI layers around the MCP endpoint. ``ServerLimits`` wraps the whole
app, before token verification: requests past ``max_concurrent`` get 503,
bodies past ``max_body_bytes`` get 413, and a catalog that cannot confirm a
token gives 503 (not 401: the token may be fine). ``CallerLimits`` runs after
verification: a caller past ``per_caller`` requests in progress gets 429.
Refusals are immediate, with ``Retry-After``: nothing queues without bound.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quilt_mcp.http.catalog_auth import CatalogUnavailable
from quilt_mcp.http.tokens import token_key

log = logging.getLogger("quilt_mcp.http")

RETRY_AFTER_SECONDS = 1


class BodyTooLarge(Exception):
    """The request body passed the bound."""


async def send_error(
    send: Send, status: int, error: str, description: str, headers: Iterable[tuple[str, str]] = ()
) -> None:
    """Answer with ``{"error", "error_description"}`` JSON and ``headers``."""
    body = json.dumps({"error": error, "error_description": description}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; ``BodyTooLarge`` as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` once, then defers to ``receive`` (for disconnects)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class ServerLimits:
    """Total requests in progress, request body size, catalog outages; for ``paths`` only."""

    def __init__(self, app: ASGIApp, *, paths: Iterable[str], max_concurrent: int, max_body_bytes: int) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_concurrent = max_concurrent
        self.max_body_bytes = max_body_bytes
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if self.active >= self.max_concurrent:
            await send_error(
                send, 503, "overloaded", "Too many requests in progress; retry shortly.", _retry_after()
            )
            return
        self.active += 1
        try:
            await self._bounded(scope, receive, send)
        finally:
            self.active -= 1

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        try:
            if declared is not None and int(declared) > self.max_body_bytes:
                raise BodyTooLarge
            body = await read_body(receive, self.max_body_bytes)
        except (BodyTooLarge, ValueError):
            await send_error(
                send,
                413,
                "request_too_large",
                f"The request body is larger than {self.max_body_bytes} bytes; send smaller requests "
                "(e.g. fewer or smaller inline entries).",
            )
            return
        try:
            await self.app(scope, replay(body, receive), send)
        except CatalogUnavailable as err:
            log.warning("token check failed: %s", err.message)
            await send_error(send, 503, "temporarily_unavailable", err.message, _retry_after())


class CallerLimits:
    """Requests in progress per verified caller (keyed by token hash); for ``paths`` only."""

    def __init__(self, app: ASGIApp, *, paths: Iterable[str], per_caller: int) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.per_caller = per_caller
        self.active: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if scope["type"] != "http" or scope["path"] not in self.paths or not isinstance(user, AuthenticatedUser):
            await self.app(scope, receive, send)
            return
        key = token_key(user.access_token.token)
        if self.active.get(key, 0) >= self.per_caller:
            await send_error(
                send,
                429,
                "too_many_requests",
                f"More than {self.per_caller} of your requests are in progress; retry when one finishes.",
                _retry_after(),
            )
            return
        self.active[key] = self.active.get(key, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self.active[key] - 1
            if left:
                self.active[key] = left
            else:
                del self.active[key]


def _retry_after() -> list[tuple[str, str]]:
    return [("retry-after", str(RETRY_AFTER_SECONDS))]
