"""Helpers for the iam tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def recorded(client: Any, operation: str, bucket: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """The parameters of every ``operation`` call ``client`` makes in the block (to ``bucket``, if given)."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        if bucket is None or params.get("Bucket") == bucket:
            calls.append(dict(params))

    event = f"provide-client-params.s3.{operation}"
    client.meta.events.register(event, record)
    try:
        yield calls
    finally:
        client.meta.events.unregister(event, record)
