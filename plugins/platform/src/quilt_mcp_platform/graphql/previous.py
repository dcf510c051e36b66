"""The one place the backend's operations meet the older (quilt3 8.0.0) catalog schema differently.

There ``PackagesSearchResultSet.firstPage(size, order: SearchResultOrder)``
returns a plain ``PackagesSearchResultSetPage``; the current schema (the
generated ``schema`` module) has ``firstPage(size, ordering: PackageOrdering)``
returning the ``PackagesFirstPageResult`` union. These sgqlc types declare
the older shape, reusing the generated types for everything the two share;
``tests/platform/test_operations.py`` validates the search built on them
against the older catalog schema the conformance package carries.
"""

from __future__ import annotations

import sgqlc.types as t
from sgqlc.types import non_null

from quilt_mcp_platform.graphql import schema as s

schema = t.Schema()


class PackagesSearchResultSet(t.Type):
    """``PackagesSearchResultSet`` as the older schema has it: ``firstPage(size, order)`` is a plain page."""

    __schema__ = schema
    total = t.Field(non_null(t.Int), graphql_name="total")
    first_page = t.Field(
        non_null(s.PackagesSearchResultSetPage),
        graphql_name="firstPage",
        args=t.ArgDict(
            (
                ("size", t.Arg(t.Int, graphql_name="size", default=30)),
                ("order", t.Arg(s.SearchResultOrder, graphql_name="order", default=None)),
            )
        ),
    )


class PackagesSearchResult(t.Union):
    __schema__ = schema
    __types__ = (PackagesSearchResultSet, s.EmptySearchResultSet, s.InvalidInput, s.OperationError)


class Query(t.Type):
    """The older schema's ``Query``, reduced to the one field whose result type differs."""

    __schema__ = schema
    search_packages = t.Field(
        non_null(PackagesSearchResult), graphql_name="searchPackages", args=s.Query.search_packages.args
    )
