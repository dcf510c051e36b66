"""searchPackages / searchMorePackages in each version's shape, scoped to the caller's role."""

from __future__ import annotations

import pytest

from tests.catalog.support import data

RESULT = """
query($q: String, $buckets: [String!], $latest: Boolean!) {
  searchPackages(buckets: $buckets, searchString: $q, latestOnly: $latest) {
    __typename
    ... on PackagesSearchResultSet { total firstPage(size: 2%s) { %s } }
  }
}"""
PAGE_FIELDS = "cursor hits { bucket name hash comment totalEntriesCount meta }"
MORE = "query($after: String!) { searchMorePackages(after: $after, size: 2) { __typename ... on PackagesSearchResultSetPage { cursor hits { bucket name hash } } } }"


def _first_page_query(catalog, order: str = "") -> str:
    if catalog.schema == "current":
        return RESULT % (order and f", ordering: {order}", f"__typename ... on PackagesSearchResultSetPage {{ {PAGE_FIELDS} }} ... on InvalidInput {{ errors {{ path name message }} }}")
    return RESULT % (order and f", order: {order}", PAGE_FIELDS)


def _all_hits(catalog, user: str, q: str | None, latest: bool = False, buckets: list[str] | None = None, order: str = "") -> tuple[int, list[dict]]:
    result = data(catalog, user, _first_page_query(catalog, order), q=q, latest=latest, buckets=buckets)["searchPackages"]
    if result["__typename"] == "EmptySearchResultSet":
        return 0, []
    page = result["firstPage"]
    hits = list(page["hits"])
    while page["cursor"]:
        page = data(catalog, user, MORE, after=page["cursor"])["searchMorePackages"]
        hits.extend(page["hits"])
    return result["total"], hits


def test_every_revision_matching_every_word_is_found_across_pages(catalog, world) -> None:
    total, hits = _all_hits(catalog, "alice", "zebra")
    found = {(h["name"], h["hash"]) for h in hits}
    # "zebra": alpha's second revision (user meta), beta (message); not alpha's first, not bob's bucket
    assert found == {("team/alpha", world.hashes["team/alpha"][0]), ("team/beta", world.hashes["team/beta"][0])}
    assert total == len(hits) == 2


def test_latest_only_and_match_all_see_each_package_once(catalog, world) -> None:
    total, hits = _all_hits(catalog, "alice", None, latest=True)
    assert sorted((h["name"], h["hash"]) for h in hits) == [
        ("team/alpha", world.hashes["team/alpha"][0]),
        ("team/beta", world.hashes["team/beta"][0]),
    ]
    _total, every = _all_hits(catalog, "alice", "*")
    assert len(every) == 3  # both alpha revisions and beta, paged 2 + 1


def test_hit_fields_describe_the_revision(current, world) -> None:
    _total, hits = _all_hits(current, "alice", "beta notes")
    assert hits == [
        {"bucket": world.bucket_a, "name": "team/beta", "hash": world.hashes["team/beta"][0], "comment": "beta zebra notes", "totalEntriesCount": 1, "meta": None}
    ]


@pytest.mark.parametrize("user, own", [("alice", "team/beta"), ("bob", "other/secret")])
def test_search_never_returns_another_roles_hits(current, world, user, own) -> None:
    _total, hits = _all_hits(current, user, "zebra")
    assert own in {h["name"] for h in hits}
    own_bucket = world.bucket_a if user == "alice" else world.bucket_b
    assert {h["bucket"] for h in hits} == {own_bucket}
    other = world.bucket_b if user == "alice" else world.bucket_a
    assert _all_hits(current, user, "zebra", buckets=[other]) == (0, [])


def test_orderings_sort_hits(catalog) -> None:
    if catalog.schema == "current":
        ascending, descending = '"sys:name:asc"', '"sys:name:desc"'
    else:
        ascending, descending = "LEX_ASC", "LEX_DESC"
    names = [h["name"] for h in _all_hits(catalog, "alice", None, order=ascending)[1]]
    assert names == sorted(names) and len(names) == 3
    assert [h["name"] for h in _all_hits(catalog, "alice", None, order=descending)[1]] == sorted(names, reverse=True)


@pytest.mark.parametrize(
    "ordering, name",
    [('"sys:nome:asc"', "ordering"), ('"SYS:name:asc"', "ordering"), ('"sys:comment:asc"', "UnsupportedSort"), ('"usr:/a:text:asc"', "UnsupportedSort")],
)
def test_current_schema_rejects_bad_orderings_as_invalid_input(current, ordering, name) -> None:
    result = data(current, "alice", _first_page_query(current, ordering), q=None, latest=False, buckets=None)
    page = result["searchPackages"]["firstPage"]
    assert page["__typename"] == "InvalidInput"
    assert [(e["path"], e["name"]) for e in page["errors"]] == [("ordering", name)]


def test_search_more_with_a_foreign_cursor_is_invalid_input(current) -> None:
    query = 'query { searchMorePackages(after: "not-a-cursor") { ... on InvalidInput { errors { path name } } } }'
    assert data(current, "alice", query)["searchMorePackages"] == {"errors": [{"path": "after", "name": "InvalidCursor"}]}
