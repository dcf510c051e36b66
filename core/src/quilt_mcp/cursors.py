"""Opaque pagination cursors, in URL-safe base64.

Two layers. A backend's cursor (``encode``/``decode``) says where its listing
resumes: the last key a page returned, tagged with the kind of listing. The
pipeline (``QuiltOps``) wraps every cursor a backend returns in a ``Listing``'s
binding: a fingerprint of what defines the listing (kind, registry, package,
path, options, query) and, for a package's tree, the top hash the pages are
read from. A cursor passed back is unwrapped, and checked, before any backend
code sees it, so a cursor works only for the listing that handed it out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from quilt_mcp.errors import InvalidInputError

BOUND = "bound"
"""The tag of a cursor the pipeline bound to its listing."""


def encode(kind: str, after: str) -> str:
    """A cursor for listing ``kind`` that resumes after ``after``."""
    return _pack([kind, after])


def decode(kind: str, cursor: str | None) -> str | None:
    """What ``encode(kind, after)`` put in ``cursor`` (``None`` for no cursor).

    ``InvalidInputError`` if the cursor is malformed or from another listing.
    """
    if cursor is None:
        return None
    found = _unpack(cursor)
    if not (isinstance(found, list) and len(found) == 2 and found[0] == kind and isinstance(found[1], str)):
        raise invalid(cursor)
    return found[1]


def invalid(cursor: str) -> InvalidInputError:
    """The error for a cursor this listing did not hand out."""
    return InvalidInputError(
        f"Invalid cursor {_shown(cursor)} for this listing.",
        "Pass back the next_cursor of the previous page unchanged, or omit it to start over.",
    )


@dataclass(frozen=True)
class Listing:
    """One paginated listing: its ``kind`` and the arguments that define which items it holds.

    ``scope`` holds every such argument (registry, package, path, options,
    query), already normalised so that equal listings have equal scopes.
    """

    kind: str
    scope: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, kind: str, **scope: Any) -> Listing:
        return cls(kind, tuple(sorted(scope.items())))

    @property
    def fingerprint(self) -> str:
        """A short digest of kind and scope: equal exactly when the listings are the same."""
        identity = json.dumps([self.kind, self.scope], separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def bind(self, inner: str | None, revision: str | None = None) -> str | None:
        """The cursor handed to the caller for the backend's cursor ``inner`` (``None``: last page).

        ``revision`` is the top hash the pages are read from, for listings of one revision.
        """
        return None if inner is None else _pack([BOUND, self.fingerprint, revision, inner])

    def open(self, cursor: str | None) -> tuple[str | None, str | None]:
        """``(revision, backend cursor)`` that ``bind`` put in ``cursor``; ``(None, None)`` without one.

        ``InvalidInputError`` if the cursor is malformed or belongs to another listing.
        """
        if cursor is None:
            return None, None
        found = _unpack(cursor)
        if not (
            isinstance(found, list)
            and len(found) == 4
            and found[0] == BOUND
            and isinstance(found[1], str)
            and (found[2] is None or isinstance(found[2], str))
            and isinstance(found[3], str)
        ):
            raise invalid(cursor)
        if found[1] != self.fingerprint:
            raise InvalidInputError(
                f"Cursor {_shown(cursor)} belongs to another listing: a cursor works only with the "
                f"{self.kind} call that returned it ({', '.join(key for key, _ in self.scope)} unchanged).",
                "Repeat the call with the same arguments as the one that returned this cursor, "
                "or omit cursor to start from the first page.",
            )
        return found[2], found[3]


def _pack(value: list[Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unpack(cursor: str) -> Any:
    """The JSON value in ``cursor``; ``InvalidInputError`` if it holds none."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, binascii.Error, UnicodeError, AttributeError):
        raise invalid(cursor) from None


def _shown(cursor: Any) -> str:
    """``cursor`` as quoted in an error: its repr, cut short."""
    shown = repr(cursor)
    return shown if len(shown) <= 80 else shown[:77] + "..."
