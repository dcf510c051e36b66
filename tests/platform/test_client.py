"""The catalog client over real HTTP to a GraphQL server that validates every query against the schema."""

from __future__ import annotations

import logging

import pytest
from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    InvalidInputError,
    NotFoundError,
    QuiltMCPError,
)
from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import CatalogClient, Timeouts
from quilt_mcp_platform.graphql.errors import GraphQLErrors
from quilt_mcp_platform.graphql.operations import SchemaVersion

from tests.platform.tiny_catalog import TOKEN, Faults

Catalog = tuple[str, Faults]


@pytest.mark.parametrize("version", list(SchemaVersion))
def test_search_reads_both_schema_versions_first_page_and_the_next(
    version: SchemaVersion, catalog: Catalog, previous_catalog: Catalog
) -> None:
    url = (catalog if version is SchemaVersion.CURRENT else previous_catalog)[0]
    with CatalogClient(url, TOKEN) as client:
        first = results.parse_search_packages(client.execute(operations.search_packages(version, "data")))
        more = results.parse_search_more_packages(client.execute(operations.search_more_packages(first.cursor or "")))
    assert (first.total, first.cursor, [h.name for h in first.hits]) == (3, "c1", ["team/data"])
    assert (more.total, more.cursor, more.hits[0].comment) == (None, None, "hello")


def test_search_union_arms_become_an_empty_page_or_core_errors(client: CatalogClient) -> None:
    empty = results.parse_search_packages(client.execute(operations.search_packages(SchemaVersion.CURRENT, "nothing")))
    assert empty == results.SearchPage(0, None, ())
    with pytest.raises(InvalidInputError, match=r"searchString: too odd \(QuerySyntaxError\)"):
        results.parse_search_packages(client.execute(operations.search_packages(SchemaVersion.CURRENT, "bad")))
    with pytest.raises(QuiltMCPError, match=r"cursor expired \(CursorExpired\)"):
        results.parse_search_more_packages(client.execute(operations.search_more_packages("stale")))


def test_mutation_union_arms_are_parsed_one_by_one(client: CatalogClient) -> None:
    entry = {"logicalKey": "a.txt", "physicalKey": "s3://b/a.txt", "size": 1.0}
    pushed = results.parse_package_construct(client.execute(operations.package_construct("b", "team/data", [entry])))
    assert pushed == results.Pushed("team/data", "b" * 64, "2026-01-01T00:00:00Z")
    with pytest.raises(InvalidInputError, match=r"src.entries: no entries"):
        results.parse_package_construct(client.execute(operations.package_construct("b", "team/data", [])))
    deleted = client.execute(operations.package_revision_delete("b", "team/data", "a" * 64))
    assert results.parse_package_revision_delete(deleted) is None
    with pytest.raises(NotFoundError, match=r"team/gone not found \(PackageNotFound\)"):
        results.parse_package_revision_delete(client.execute(operations.package_revision_delete("b", "team/gone", "a")))


def test_a_query_the_schema_rejects_is_a_clear_error(catalog: Catalog) -> None:
    with CatalogClient(catalog[0], TOKEN) as client, pytest.raises(GraphQLErrors) as caught:
        client.execute(operations.search_packages(SchemaVersion.PREVIOUS, "data"))
    assert any("Unknown argument 'order'" in m for m in caught.value.messages)
    assert "rejected SearchPackages" in str(caught.value)


def test_a_refused_token_asks_for_a_fresh_one_without_showing_it(catalog: Catalog) -> None:
    wrong = "qk_wrong-secret-token"
    with CatalogClient(catalog[0], wrong) as client, pytest.raises(AuthRequiredError) as caught:
        client.execute(operations.me())
    assert "HTTP 401" in caught.value.message and "QUILT_API_KEY" in caught.value.hint
    assert wrong not in str(caught.value) and wrong not in repr(client)


def test_reads_are_retried_through_5xx_but_writes_are_sent_once(catalog: Catalog) -> None:
    url, faults = catalog
    with CatalogClient(url, TOKEN, read_retries=2, retry_backoff=0.01) as client:
        faults.fail = 2
        me = results.parse_me(client.execute(operations.me()))
        assert me == results.Me("ada", "ada@example.com", False, "ReadWrite")
        assert len(faults.requests) == 3
        faults.fail, faults.requests[:] = 1, []
        with pytest.raises(BackendUnavailableError, match="HTTP 503"):
            client.execute(operations.package_revision_delete("b", "team/data", "a" * 64))
        assert len(faults.requests) == 1
        faults.fail = 5
        with pytest.raises(BackendUnavailableError, match="HTTP 503 after 3 attempts"):
            client.execute(operations.me())


def test_a_slow_catalog_times_out_as_unavailable(catalog: Catalog) -> None:
    url, faults = catalog
    faults.latency = 1.0
    timeouts = Timeouts(connect=1, read=0.2)
    with CatalogClient(url, TOKEN, timeouts=timeouts, read_retries=1, retry_backoff=0.01) as client:
        with pytest.raises(BackendUnavailableError, match="read timeout of 0.2 s after 2 attempts"):
            client.execute(operations.me())


def test_the_token_is_never_logged(catalog: Catalog, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with CatalogClient(catalog[0], TOKEN) as client:
        client.execute(operations.me())
        client.get_json("/api/auth/get_credentials")
    assert caplog.records, "the HTTP libraries logged nothing at DEBUG: this test proves nothing"
    assert TOKEN not in caplog.text
