"""Bounds that keep the server up: body size, requests in progress in total and per caller.

``ServerLimits`` wraps the whole app, before token verification: requests
past ``max_concurrent`` get 503, a caller's past ``per_caller`` get 429,
bodies past ``max_body_bytes`` get 413. ``CatalogOutage``: a catalog that
cannot confirm a token gives 503 (not 401: the token may be fine).
Refusals are immediate, with ``Retry-After``: nothing queues without bound.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

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
    """Requests in progress in total and per token, body size, catalog outages; for ``paths`` only.

    Per-caller counting keys on the hash of the presented bearer token,
    before it is verified: an unverified token is refused (401) right after,
    and a flood of one token cannot hold the token checks of others.
    """

    def __init__(
        self, app: ASGIApp, *, paths: Iterable[str], max_concurrent: int, per_caller: int, max_body_bytes: int
    ) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_concurrent = max_concurrent
        self.per_caller = per_caller
        self.max_body_bytes = max_body_bytes
        self.active = 0
        self.by_caller: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        caller = _bearer_key(scope)
        if self.active >= self.max_concurrent:
            await send_error(send, 503, "overloaded", "Too many requests in progress; retry shortly.", _retry_after())
            return
        if caller is not None and self.by_caller.get(caller, 0) >= self.per_caller:
            await send_error(
                send,
                429,
                "too_many_requests",
                f"More than {self.per_caller} of your requests are in progress; retry when one finishes.",
                _retry_after(),
            )
            return
        self.active += 1
        if caller is not None:
            self.by_caller[caller] = self.by_caller.get(caller, 0) + 1
        try:
            await self._bounded(scope, receive, send)
        finally:
            self.active -= 1
            if caller is not None:
                left = self.by_caller[caller] - 1
                if left:
                    self.by_caller[caller] = left
                else:
                    del self.by_caller[caller]

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
        await self.app(scope, replay(body, receive), send)


class CatalogOutage:
    """Turns ``CatalogUnavailable`` from token verification into 503 with ``Retry-After`` (not 401 or 500).

    Must sit between Starlette's error middleware and the authentication
    middleware (``ResourceServerAuth.get_middleware`` puts it there).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except CatalogUnavailable as err:
            log.warning("token check failed: %s", err.message)
            await send_error(send, 503, "temporarily_unavailable", err.message, _retry_after())


def _bearer_key(scope: Scope) -> str | None:
    """``token_key`` of the request's bearer token, if it presents one."""
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return token_key(value[7:].decode("latin-1").strip())
    return None


def _retry_after() -> list[tuple[str, str]]:
    return [("retry-after", str(RETRY_AFTER_SECONDS))]
