"""The catalog client over real HTTP to the reference catalog, which validates every query against its schema."""

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

from tests.platform.conftest import PACKAGES, Site


@pytest.mark.parametrize("version", list(SchemaVersion))
def test_search_reads_both_schema_versions_first_page_and_the_next(
    version: SchemaVersion, catalog: Site, previous_catalog: Site
) -> None:
    site = catalog if version is SchemaVersion.CURRENT else previous_catalog
    with CatalogClient(site.url, site.key) as client:
        search = operations.search_packages(version, "data", buckets=[site.world.bucket], latest_only=True, size=1)
        first = results.parse_search_packages(client.execute(search))
        more = results.parse_search_more_packages(client.execute(operations.search_more_packages(first.cursor or "")))
    assert (first.total, len(first.hits), more.total, more.cursor) == (2, 1, None, None)
    assert first.cursor is not None and len(more.hits) == 1
    found = {hit.name: hit.comment for hit in first.hits + more.hits}
    assert found == PACKAGES


def test_search_union_arms_become_an_empty_page_or_core_errors(client: CatalogClient, catalog: Site) -> None:
    current = SchemaVersion.CURRENT
    outside = operations.search_packages(current, "data", buckets=[catalog.world.outside])
    assert results.parse_search_packages(client.execute(outside)) == results.SearchPage(0, None, ())
    unordered = operations.search_packages(current, "data", ordering="no such ordering")
    with pytest.raises(InvalidInputError, match=r"ordering: unparseable ordering"):
        results.parse_search_packages(client.execute(unordered))
    with pytest.raises(InvalidInputError, match=r"after: not a cursor this catalog issued.*\(InvalidCursor\)"):
        results.parse_search_more_packages(client.execute(operations.search_more_packages("stale")))
    catalog.catalog.set_faults(operation_error="SearchUnavailable")
    with pytest.raises(QuiltMCPError, match=r"fault injected by the reference catalog \(SearchUnavailable\)"):
        results.parse_search_packages(client.execute(operations.search_packages(current, "data")))


def test_mutation_union_arms_are_parsed_one_by_one(client: CatalogClient, catalog: Site) -> None:
    bucket, name = catalog.world.bucket, "team/pushed"
    entry = {"logicalKey": "a.txt", "physicalKey": f"s3://{catalog.world.source}/team/data/a.txt"}
    pushed = results.parse_package_construct(client.execute(operations.package_construct(bucket, name, [entry])))
    assert pushed.name == name and len(pushed.hash) == 64 and pushed.modified
    bad = {**entry, "logicalKey": "../a.txt"}
    with pytest.raises(InvalidInputError, match=r"src.entries\[0\].logicalKey: .*\(InvalidLogicalKey\)"):
        results.parse_package_construct(client.execute(operations.package_construct(bucket, name, [bad])))
    deleted = client.execute(operations.package_revision_delete(bucket, name, pushed.hash))
    assert results.parse_package_revision_delete(deleted) is None
    with pytest.raises(NotFoundError, match=r"team/gone .* \(NotFound\)"):
        gone = operations.package_revision_delete(bucket, "team/gone", "a" * 64)
        results.parse_package_revision_delete(client.execute(gone))


def test_a_query_the_schema_rejects_is_a_clear_error(client: CatalogClient) -> None:
    with pytest.raises(GraphQLErrors) as caught:
        client.execute(operations.search_packages(SchemaVersion.PREVIOUS, "data"))
    assert any("Unknown argument 'order'" in m for m in caught.value.messages)
    assert "rejected SearchPackages" in str(caught.value)


def test_a_refused_token_asks_for_a_fresh_one_without_showing_it(catalog: Site) -> None:
    wrong = "qk_wrong-secret-token"
    with CatalogClient(catalog.url, wrong) as client, pytest.raises(AuthRequiredError) as caught:
        client.execute(operations.me())
    assert "HTTP 401" in caught.value.message and "QUILT_API_KEY" in caught.value.hint
    assert wrong not in str(caught.value) and wrong not in repr(client)


def test_reads_are_retried_through_5xx_but_writes_are_sent_once(catalog: Site) -> None:
    faults = catalog.catalog.set_faults
    with CatalogClient(catalog.url, catalog.key, read_retries=2, retry_backoff=0.01) as client:
        faults(status_5xx=503, status_5xx_count=2)
        me = results.parse_me(client.execute(operations.me()))  # the third attempt gets through
        assert me == results.Me("ada", "ada@example.com", False, "ReadWrite")
        faults(status_5xx=503, status_5xx_count=1)
        with pytest.raises(BackendUnavailableError) as once:
            client.execute(operations.package_revision_delete(catalog.world.bucket, "team/data", "a" * 64))
        assert once.value.message.endswith("it answered HTTP 503.")  # no retry: a second attempt would get through
        faults(status_5xx=503)
        with pytest.raises(BackendUnavailableError, match="HTTP 503 after 3 attempts"):
            client.execute(operations.me())


def test_a_slow_catalog_times_out_as_unavailable(catalog: Site) -> None:
    catalog.catalog.set_faults(latency=1.0)
    timeouts = Timeouts(connect=1, read=0.2)
    with CatalogClient(catalog.url, catalog.key, timeouts=timeouts, read_retries=1, retry_backoff=0.01) as client:
        with pytest.raises(BackendUnavailableError, match="read timeout of 0.2 s after 2 attempts"):
            client.execute(operations.me())


def test_the_token_is_never_logged(catalog: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with CatalogClient(catalog.url, catalog.key) as client:
        client.execute(operations.me())
        client.get_json("/api/auth/get_credentials")
    assert caplog.records, "the HTTP libraries logged nothing at DEBUG: this test proves nothing"
    assert catalog.key not in caplog.text
