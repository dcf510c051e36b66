"""Opaque pagination cursors: a small JSON value in URL-safe base64, tagged with what it pages."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from quilt_mcp.errors import InvalidInputError


def encode(kind: str, value: Any) -> str:
    """A cursor for listing ``kind`` that resumes after ``value``."""
    raw = json.dumps([kind, value], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(kind: str, cursor: str | None) -> Any:
    """The value ``encode(kind, value)`` put in ``cursor`` (``None`` for no cursor).

    ``InvalidInputError`` if the cursor is malformed or from another listing.
    """
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        found_kind, value = None, None
    if found_kind != kind:
        raise InvalidInputError(
            f"Invalid cursor {cursor!r} for this listing.",
            "Pass back the next_cursor of the previous page unchanged, or omit it to start over.",
        )
    return value
