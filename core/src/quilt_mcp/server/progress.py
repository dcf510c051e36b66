"""Bridging a backend's progress callback (a worker thread) to the client's progress notifications."""

from __future__ import annotations

import logging
import time

import anyio.from_thread
from fastmcp import Context

from quilt_mcp.ops import Progress

log = logging.getLogger("quilt_mcp.server")
MIN_INTERVAL = 0.1
"""Seconds between forwarded updates; the first and the final one always go out."""


class ProgressBridge:
    """A ``progress(done, total, message)`` callable for a backend running in a worker thread.

    Each update is sent with ``ctx.report_progress`` on the event loop, which
    notifies clients that sent a progress token and does nothing for others.
    Updates closer than ``min_interval`` are dropped, except the final one.
    A failure to notify is logged and never fails the operation.
    """

    def __init__(self, ctx: Context, *, min_interval: float = MIN_INTERVAL) -> None:
        self._ctx = ctx
        self._min_interval = min_interval
        self._last: float | None = None

    def __call__(self, done: float, total: float | None, message: str) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and self._last is not None and now - self._last < self._min_interval:
            return
        self._last = now
        try:
            anyio.from_thread.run(self._ctx.report_progress, done, total, message)
        except Exception:  # noqa: BLE001 - progress is best effort
            log.debug("could not send a progress notification", exc_info=True)


def wants_progress(ctx: Context) -> bool:
    """True when the client sent a progress token with the current request."""
    request = ctx.request_context
    meta = request.meta if request is not None else None
    return bool(meta) and meta.get("progressToken") is not None  # type: ignore[union-attr]


def bridge(ctx: Context | None) -> Progress | None:
    """A progress callback forwarding to ``ctx``; None outside a request or when the client asked for no progress
    (then the backend skips its progress work and no update crosses to the event loop)."""
    return ProgressBridge(ctx) if ctx is not None and wants_progress(ctx) else None
