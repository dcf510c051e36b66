"""The bounded search scan: a registry searched by reading each package's latest manifest header.

One call looks at no more than ``SCAN_LIMIT`` packages, so a search of a huge
registry returns a page (possibly short, possibly empty) with a cursor instead
of reading every package before it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any, TypeVar

from quilt_mcp import cursors
from quilt_mcp.errors import DamagedManifestError
from quilt_mcp.models import SearchHit, SearchPage
from quilt_mcp.search import match_package

SCAN_LIMIT = 500
"""Packages one search call looks at before it returns a page (possibly short) with a cursor."""
BATCH = 16
"""Packages read together (in parallel where the backend's ``map_batch`` does so)."""

R = TypeVar("R")
MapBatch = Callable[[Callable[[str], R], Sequence[str]], list[R]]


def _in_order(fn: Callable[[str], R], names: Sequence[str]) -> list[R]:
    return [fn(name) for name in names]


def search_scan(
    needle: str,
    *,
    cursor: str | None,
    limit: int,
    names: Callable[[str | None], Iterable[str]],
    latest_header: Callable[[str], tuple[str, dict[str, Any]] | None],
    map_batch: MapBatch = _in_order,
    scan_limit: int = SCAN_LIMIT,
) -> SearchPage:
    """One page of packages matching ``needle`` (from ``search.search_needle``), in name order.

    ``names(after)`` yields package names after ``after`` (all for None) in
    order; ``latest_header(name)`` gives the top hash and manifest header of
    its latest revision, or None if it has none. ``map_batch(fn, names)`` may
    run ``fn`` over a batch in parallel, results in order. A package whose manifest is damaged is
    skipped and named in ``skipped``.
    """
    after = cursors.decode("search", cursor)
    pending = iter(names(after))
    hits: list[SearchHit] = []
    scanned = 0
    last: str | None = None

    skipped: list[str] = []

    def match(name: str) -> SearchHit | None:
        try:
            latest = latest_header(name)
        except DamagedManifestError as err:
            skipped.append(f"{name}: {err.message}")
            return None
        return None if latest is None else match_package(name, latest[0], latest[1], needle)

    while len(hits) < limit and scanned < scan_limit:
        batch = list(islice(pending, min(BATCH, scan_limit - scanned)))
        if not batch:
            return SearchPage(items=hits, next_cursor=None, skipped=skipped)
        for name, hit in zip(batch, map_batch(match, batch), strict=True):
            scanned += 1
            last = name
            if hit is not None:
                hits.append(hit)
                if len(hits) == limit:
                    break
    next_cursor = cursors.encode("search", last) if last is not None else None
    return SearchPage(items=hits, next_cursor=next_cursor, skipped=skipped)
