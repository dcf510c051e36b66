"""Opaque pagination cursors: the last key a page returned, tagged with what it pages, in URL-safe base64."""

from __future__ import annotations

import base64
import binascii
import json

from quilt_mcp.errors import InvalidInputError


def encode(kind: str, after: str) -> str:
    """A cursor for listing ``kind`` that resumes after ``after``."""
    raw = json.dumps([kind, after], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(kind: str, cursor: str | None) -> str | None:
    """What ``encode(kind, after)`` put in ``cursor`` (``None`` for no cursor).

    ``InvalidInputError`` if the cursor is malformed or from another listing.
    """
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, after = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        found_kind, after = None, None
    if found_kind != kind or not isinstance(after, str):
        raise invalid(cursor)
    return after


def invalid(cursor: str) -> InvalidInputError:
    """The error for a cursor this listing did not hand out."""
    return InvalidInputError(
        f"Invalid cursor {cursor!r} for this listing.",
        "Pass back the next_cursor of the previous page unchanged, or omit it to start over.",
    )
