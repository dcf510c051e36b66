"""``searchPackages`` with ``firstPage`` in each version's shape, and ``searchMorePackages``.

Current schema: ``firstPage(size, ordering: PackageOrdering)`` answers the
union ``PackagesFirstPageResult`` (a rejected ordering is the InvalidInput
arm). Previous schema: ``firstPage(size, order: SearchResultOrder)`` answers
a plain page. Both: ``searchMorePackages(after, size)`` answers the union
``PackagesSearchMoreResult``.

Scope: the buckets searched are those asked for (all when none) that the
caller's role grants, re-checked on every page; no granted bucket left
means ``EmptySearchResultSet``. The cursor is opaque (base64 JSON of the
search and the offset) and carries no identity.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from quilt_mcp_conformance.catalog import search_engine
from quilt_mcp_conformance.catalog.ordering import OrderingError, parse_ordering, previous_order
from quilt_mcp_conformance.catalog.resolvers.context import Caller, blocking, caller, invalid_input

PAGE = "PackagesSearchResultSetPage"


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode()


def _decode(cursor: str) -> dict[str, Any] | None:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("n"), int) else None


def _scope(who: Caller, requested: list[str] | None) -> list[str]:
    granted = who.buckets
    return sorted(granted if requested is None else granted.intersection(requested))


def _sorter(query: dict[str, Any]) -> Callable[[list[search_engine.Hit]], list[search_engine.Hit]]:
    if "order" in query:
        return previous_order(query["order"])
    return parse_ordering(query.get("ordering"))


async def _page(who: Caller, query: dict[str, Any], offset: int, size: int) -> dict[str, Any]:
    """One page of ``query`` from ``offset``; OrderingError when its ordering is rejected."""
    sorter = _sorter(query)
    hits = await blocking(
        search_engine.search, who.state.registry, _scope(who, query["b"]), query["s"], query["f"], query["l"]
    )
    ordered = sorter(hits)
    size = max(size, 0)
    chunk = ordered[offset : offset + size]
    more = offset + size < len(ordered)
    return {
        "__typename": PAGE,
        "cursor": _encode({**query, "n": offset + size}) if more else None,
        "hits": [search_engine.hit_object(h) for h in chunk],
    }


def _ordering_error(exc: OrderingError) -> dict[str, Any]:
    return invalid_input(("ordering", exc.name, str(exc)))


async def search_packages(
    info: GraphQLResolveInfo,
    buckets: list[str] | None = None,
    searchString: str | None = None,
    filter: dict[str, Any] | None = None,
    userMetaFilters: list[dict[str, Any]] | None = None,
    latestOnly: bool = False,
) -> dict[str, Any]:
    who = caller(info)
    fault = who.state.faults.operation_error()
    if fault is not None:
        return fault
    if userMetaFilters:
        return invalid_input(("userMetaFilters", "Unsupported", "the reference catalog does not evaluate userMetaFilters"))
    if not _scope(who, buckets):
        return {"__typename": "EmptySearchResultSet", "_": None}
    query = {"b": buckets, "s": searchString, "f": filter, "l": latestOnly}
    hits = await blocking(search_engine.search, who.state.registry, _scope(who, buckets), searchString, filter, latestOnly)

    async def first_page(_info: GraphQLResolveInfo, size: int = 30, **order: Any) -> dict[str, Any]:
        try:
            return await _page(who, {**query, **order}, 0, size)
        except OrderingError as exc:
            return _ordering_error(exc)

    return {"__typename": "PackagesSearchResultSet", "total": len(hits), "firstPage": first_page}


async def search_more_packages(info: GraphQLResolveInfo, after: str, size: int = 30) -> dict[str, Any]:
    who = caller(info)
    fault = who.state.faults.operation_error()
    if fault is not None:
        return fault
    state = _decode(after)
    if state is None:
        return invalid_input(("after", "InvalidCursor", "not a cursor this catalog issued; start a new search"))
    offset = state.pop("n")
    try:
        return await _page(who, state, offset, size)
    except (OrderingError, KeyError) as exc:
        return invalid_input(("after", "InvalidCursor", f"cursor holds a bad search: {exc}"))


ROOT = {"searchPackages": search_packages, "searchMorePackages": search_more_packages}
