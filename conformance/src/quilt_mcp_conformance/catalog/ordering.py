"""Search hit orderings: the current schema's ``PackageOrdering`` expressions and the previous ``SearchResultOrder``.

``parse_ordering`` follows the grammar of the current schema's
``PackageOrdering`` scalar: ``sys:<field>:<dir>`` with field one of name,
modified, size, entries, hash, workflow, comment, or
``usr:<json pointer>:<type>:<dir>`` (right-anchored) with type one of
number, datetime, keyword, text, boolean; dir ``asc`` or ``desc``; null is
relevance. An expression failing the grammar raises ``OrderingError`` with
name ``ordering``; a well-formed one the engine cannot honour (``comment``,
``text``) raises it with name ``UnsupportedSort`` — the names the schema
documents for the ``InvalidInput`` arm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quilt_mcp_conformance.catalog.search_engine import Hit

GRAMMAR = (
    'expected "sys:<field>:<dir>" (field: name, modified, size, entries, hash, workflow, comment) or '
    '"usr:<json pointer>:<type>:<dir>" (type: number, datetime, keyword, text, boolean); dir: asc or desc'
)
_SYS_FIELDS = ("name", "modified", "size", "entries", "hash", "workflow", "comment")
_USR_TYPES = ("number", "datetime", "keyword", "text", "boolean")
_DIRS = ("asc", "desc")

SortKey = tuple[Callable[[Hit], Any], bool]


class OrderingError(ValueError):
    """An ordering the catalog rejects: ``name`` is the InputError name, the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def relevance(hits: list[Hit]) -> list[Hit]:
    """Score descending, then newest, then name and hash (deterministic)."""
    return sorted(hits, key=lambda h: (-h.score, -h.timestamp, h.name, h.hash))


def _system_value(hit: Hit, field: str) -> Any:
    if field == "workflow":
        return (hit.workflow or {}).get("id") or "" if isinstance(hit.workflow, dict) else ""
    return {"name": hit.name, "modified": hit.timestamp, "size": hit.size, "entries": hit.entries, "hash": hit.hash}[field]


def _pointer_value(meta: Any, pointer: str) -> Any:
    node = meta
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def parse_ordering(expression: Any) -> Callable[[list[Hit]], list[Hit]]:
    """A sorter for a ``PackageOrdering`` value (None: relevance); OrderingError when rejected."""
    if expression is None:
        return relevance
    if not isinstance(expression, str):
        raise OrderingError("ordering", f"unparseable ordering: not a string; {GRAMMAR}")
    if expression.startswith("sys:"):
        parts = expression.split(":")
        if len(parts) != 3 or parts[1] not in _SYS_FIELDS or parts[2] not in _DIRS:
            raise OrderingError("ordering", f"unparseable ordering {expression!r}; {GRAMMAR}")
        field, direction = parts[1], parts[2]
        if field == "comment":
            raise OrderingError("UnsupportedSort", "sorting by comment is not supported (no keyword subfield)")
        return lambda hits: sorted(
            relevance(hits), key=lambda h: _system_value(h, field), reverse=direction == "desc"
        )
    if expression.startswith("usr:"):
        rest = expression[4:].rsplit(":", 2)
        if len(rest) != 3 or not rest[0].startswith("/") or rest[1] not in _USR_TYPES or rest[2] not in _DIRS:
            raise OrderingError("ordering", f"unparseable ordering {expression!r}; {GRAMMAR}")
        pointer, kind, direction = rest
        if kind == "text":
            raise OrderingError("UnsupportedSort", f"{pointer} has no keyword-backed storage to sort as text")
        return lambda hits: _by_user_meta(hits, pointer, direction == "desc")
    raise OrderingError("ordering", f"unparseable ordering {expression!r}; {GRAMMAR}")


def _by_user_meta(hits: list[Hit], pointer: str, descending: bool) -> list[Hit]:
    """Hits with a value at ``pointer`` sorted by it (as text when types mix), then the rest by relevance."""
    valued = [(h, _pointer_value(h.user_meta, pointer)) for h in relevance(hits)]
    present = [(h, v) for h, v in valued if v is not None]
    types = {type(v) for _h, v in present}
    key = (lambda pair: pair[1]) if len(types) <= 1 else (lambda pair: str(pair[1]))
    ordered = [h for h, _v in sorted(present, key=key, reverse=descending)]
    return ordered + [h for h, v in valued if v is None]


_PREVIOUS: dict[str, Callable[[list[Hit]], list[Hit]]] = {
    "BEST_MATCH": relevance,
    "NEWEST": lambda hits: sorted(relevance(hits), key=lambda h: -h.timestamp),
    "OLDEST": lambda hits: sorted(relevance(hits), key=lambda h: h.timestamp),
    "LEX_ASC": lambda hits: sorted(relevance(hits), key=lambda h: h.name),
    "LEX_DESC": lambda hits: sorted(relevance(hits), key=lambda h: h.name, reverse=True),
}


def previous_order(order: str | None) -> Callable[[list[Hit]], list[Hit]]:
    """A sorter for the previous schema's ``SearchResultOrder`` (None: BEST_MATCH)."""
    return _PREVIOUS[order or "BEST_MATCH"]
