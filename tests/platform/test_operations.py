"""Every operation the platform backend sends is valid GraphQL for the schema versions it targets."""

from __future__ import annotations

import inspect

import pytest
from graphql import GraphQLSchema, parse, validate
from quilt_mcp_platform.graphql import operations
from quilt_mcp_platform.graphql.operations import SchemaVersion
from quilt_mcp_conformance.catalog import schemas

SCHEMAS: dict[str, GraphQLSchema] = {v.value: schemas.build(v.value) for v in SchemaVersion}
ONLY_IN = {"search_packages_current": "current", "search_packages_previous": "previous"}


def _errors(key: str, version: str) -> list[str]:
    return [e.message for e in validate(SCHEMAS[version], parse(operations.DOCUMENTS[key]()))]


@pytest.mark.parametrize("key", sorted(operations.DOCUMENTS))
@pytest.mark.parametrize("version", sorted(SCHEMAS))
def test_operation_is_valid_on_the_schema_versions_it_targets(key: str, version: str) -> None:
    errors = _errors(key, version)
    if ONLY_IN.get(key, version) == version:
        assert errors == []
    else:
        assert errors, f"{key} should need the {ONLY_IN[key]} schema's search shape"


SAMPLES = {
    "bucket": "b", "name": "team/data", "hash_or_tag": "latest", "path": "a/", "max_entries": 10,
    "search_string": "x", "after": "c", "entries": [], "top_hash": "a" * 64,
}  # fmt: skip


def _public_builders() -> list[tuple[str, object]]:
    return [
        (name, fn)
        for name, fn in inspect.getmembers(operations, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == operations.__name__
    ]


@pytest.mark.parametrize("version", list(SchemaVersion))
def test_every_request_sent_is_one_of_the_validated_documents(version: SchemaVersion) -> None:
    sent = set()
    for name, fn in _public_builders():
        params = inspect.signature(fn).parameters
        args = {
            p: SAMPLES[p] for p, spec in params.items() if spec.default is inspect.Parameter.empty and p != "version"
        }
        if "version" in params:
            args["version"] = version
        request = fn(**args)
        assert request.document in {document() for document in operations.DOCUMENTS.values()}, name
        assert request.read_only == (not name.startswith("package_") or name == "package_revisions"), name
        sent.add(request.name)
    assert len(sent) == len(operations.DOCUMENTS) - 1  # one SearchPackages name, two shapes


def test_variables_carry_the_arguments_and_leave_out_unset_ones() -> None:
    request = operations.packages("b", number=2)
    assert request.variables == {"bucket": "b", "number": 2, "perPage": 30, "order": "NAME"}
    previous = operations.search_packages(SchemaVersion.PREVIOUS, "x", ordering="NEWEST")
    assert previous.variables["order"] == "NEWEST" and "ordering" not in previous.variables
