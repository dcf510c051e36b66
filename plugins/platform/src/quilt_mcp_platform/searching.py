"""Package search through the catalog's ``searchPackages`` and ``searchMorePackages``, on both schema versions.

The catalog's engine matches words (tokenised) and ranks by relevance; the
core's rule (``quilt_mcp.search.match_package``) is a case-insensitive
substring of the name, latest message or latest user metadata. Each hit the
catalog returns for the latest revisions is kept when the core's rule
matches it too, so every backend answers the same packages for a query the
catalog can find; page order is the catalog's (relevance). A page may be
short while ``next_cursor`` is set.

The schema version is detected once per client: the current document is
sent first; a catalog on the older version rejects it (a GraphQL
validation error on ``ordering``/``PackageOrdering``) and the older shape
is used from then on.
"""

from __future__ import annotations

import json
from typing import Any

from quilt_mcp import cursors
from quilt_mcp.models import Page, SearchHit
from quilt_mcp.search import match_package

from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import CatalogClient
from quilt_mcp_platform.graphql.errors import GraphQLErrors
from quilt_mcp_platform.graphql.operations import SchemaVersion


class Search:
    """Package search for one client, remembering the catalog's schema version once found."""

    def __init__(self, client: CatalogClient) -> None:
        self.client = client
        self.version: SchemaVersion | None = None

    def _first(self, bucket: str, needle: str, size: int) -> results.SearchPage:
        for version in (self.version,) if self.version else (SchemaVersion.CURRENT, SchemaVersion.PREVIOUS):
            request = operations.search_packages(version, needle, buckets=[bucket], latest_only=True, size=size)
            try:
                page = results.parse_search_packages(self.client.execute(request))
            except GraphQLErrors as err:
                if self.version is None and any("rdering" in m for m in err.messages):
                    continue
                raise
            self.version = version
            return page
        raise AssertionError("unreachable")  # pragma: no cover

    def page(self, bucket: str, needle: str, *, cursor: str | None, limit: int) -> Page[SearchHit]:
        after = cursors.decode("search", cursor)
        if after is None:
            found = self._first(bucket, needle, limit)
        else:
            found = results.parse_search_more_packages(
                self.client.execute(operations.search_more_packages(after, size=limit))
            )
        hits = [hit for hit in map(lambda h: _hit(h, needle), found.hits) if hit is not None]
        return Page(items=hits, next_cursor=cursors.encode("search", found.cursor) if found.cursor else None)


def _hit(hit: results.SearchHit, needle: str) -> SearchHit | None:
    meta: Any = None
    if hit.meta:
        try:
            meta = json.loads(hit.meta)
        except ValueError:
            meta = None
    header = {"message": hit.comment, "user_meta": meta if isinstance(meta, dict) else {}}
    return match_package(hit.name, hit.hash, header, needle)
