"""Queries are validated against the chosen schema version, as a real catalog does."""

from __future__ import annotations

from tests.catalog.support import gql

CURRENT_ONLY = '{ searchPackages(searchString: "x") { ... on PackagesSearchResultSet { firstPage(ordering: "sys:name:asc") { __typename } } } }'
PREVIOUS_ONLY = '{ searchPackages(searchString: "x") { ... on PackagesSearchResultSet { firstPage(order: NEWEST) { hits { name } } } } }'


def _errors(catalog, query: str) -> list[str]:
    """Validation messages (HTTP 400, as ariadne-served catalogs answer) or [] for a valid query."""
    status, body = gql(catalog, catalog.token_for("alice"), query)
    assert status == (400 if "errors" in body else 200), body
    return [error["message"] for error in body.get("errors", [])]


def test_unknown_field_fails_validation_naming_it(catalog) -> None:
    [message] = _errors(catalog, "{ me { nickname } }")
    assert message.startswith("Cannot query field 'nickname' on type 'Me'.")


def test_type_that_never_existed_fails_validation(catalog) -> None:
    query = 'mutation { packageConstruct(params: {bucket: "b", name: "a/b"}, src: {entries: []}) { ... on PackagePushInvalidInputFailure { errors { message } } } }'
    assert any("Unknown type 'PackagePushInvalidInputFailure'" in m for m in _errors(catalog, query))


def test_each_version_rejects_the_other_versions_search_shape(catalog) -> None:
    if catalog.schema == "current":
        rejected, accepted = PREVIOUS_ONLY, CURRENT_ONLY
        expected = "Unknown argument 'order' on field 'PackagesSearchResultSet.firstPage'."
    else:
        rejected, accepted = CURRENT_ONLY, PREVIOUS_ONLY
        expected = "Unknown argument 'ordering' on field 'PackagesSearchResultSet.firstPage'."
    assert any(message.startswith(expected) for message in _errors(catalog, rejected))
    assert _errors(catalog, accepted) == []


def test_field_the_reference_does_not_implement_is_an_error_not_null(current) -> None:
    status, body = gql(current, current.token_for("alice"), "{ me { name apiKeys { name } } }")
    assert status == 200
    assert body["errors"][0]["message"] == "Me.apiKeys is not implemented by the reference catalog"
    assert body["errors"][0]["path"] == ["me", "apiKeys"]
