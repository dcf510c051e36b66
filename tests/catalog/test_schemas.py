"""The carried schema texts: what the catalog serves and the platform backend builds on."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from quilt_mcp_conformance.catalog.schemas import SOURCE_FILES, VERSIONS, schema_text, strip_descriptions
from quilt_mcp_conformance.reference import shared_reference_dir

SHARED = shared_reference_dir(Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("version", VERSIONS)
def test_carried_schema_equals_the_reference_file_without_descriptions(version: str) -> None:
    if SHARED is None:
        pytest.skip("no ../shared/quilt-reference beside this checkout")
    source = SHARED / SOURCE_FILES[version]
    assert schema_text(version) == strip_descriptions(source.read_text())


def test_carried_versions_differ_where_the_catalog_changed_search() -> None:
    current, previous = (build_schema(schema_text(v)) for v in ("current", "previous"))
    assert set(current.type_map["PackagesSearchResultSet"].fields["firstPage"].args) == {"size", "ordering"}
    assert set(previous.type_map["PackagesSearchResultSet"].fields["firstPage"].args) == {"size", "order"}
    assert "PackagesFirstPageResult" in current.type_map and "PackagesFirstPageResult" not in previous.type_map


def test_unknown_schema_version_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="current, previous"):
        schema_text("future")  # type: ignore[arg-type]
