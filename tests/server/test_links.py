"""Quilt+ URIs and catalog URLs, as the Quilt catalog writes them."""

from __future__ import annotations

import pytest

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.server.links import QuiltUri, catalog_url, parse_quilt_uri, quilt_uri

HASH = "e21682f00929661879633a5128aaa27cc7bc1e2973d49d4c868a90f9fad9f34b"


def test_a_quilt_uri_names_bucket_package_revision_path_and_catalog():
    assert quilt_uri("quilt-example", "akarve/cord19", top_hash=HASH, path="CORD19.ipynb") == (
        f"quilt+s3://quilt-example#package=akarve/cord19@{HASH}&path=CORD19.ipynb"
    )
    assert quilt_uri("b", "ns/n") == "quilt+s3://b#package=ns/n"
    assert quilt_uri("b", "ns/n", path="a b/c&d.csv", catalog="https://open.quiltdata.com/") == (
        "quilt+s3://b#package=ns/n&path=a%20b/c%26d.csv&catalog=open.quiltdata.com"
    )


def test_a_catalog_url_points_at_the_revision_tree():
    assert catalog_url("https://open.quiltdata.com", "quilt-example", "akarve/cord19", top_hash=HASH, path="a/") == (
        f"https://open.quiltdata.com/b/quilt-example/packages/akarve/cord19/tree/{HASH}/a/"
    )
    assert catalog_url("catalog.example.com:8443", "b", "ns/n") == (
        "https://catalog.example.com:8443/b/b/packages/ns/n/tree/latest/"
    )


@pytest.mark.parametrize("bad", ["ftp://catalog.example.com", "https://catalog.example.com/some/path", "https://"])
def test_a_catalog_that_is_not_an_http_address_is_refused(bad):
    with pytest.raises(InvalidInputError, match="QUILT_MCP_CATALOG_URL"):
        catalog_url(bad, "b", "ns/n")


@pytest.mark.parametrize("path", ["", "a b/c&d=e.csv", "dir/", "100%/#?.txt"])
@pytest.mark.parametrize("top_hash", [None, HASH])
@pytest.mark.parametrize("catalog", [None, "https://catalog.example.com:8443"])
def test_every_quilt_uri_written_parses_back_to_its_parts(path, top_hash, catalog):
    uri = quilt_uri("b", "ns/n", top_hash=top_hash, path=path, catalog=catalog)

    assert parse_quilt_uri(uri) == QuiltUri(
        "b", "ns/n", top_hash or "latest", path, "catalog.example.com:8443" if catalog else None
    )


@pytest.mark.parametrize(
    "uri", ["s3://b/k", "quilt+s3://b", "quilt+s3://b#path=x", "quilt+s3://b#package=ns/n&path=a&path=b", "quilt+s3://b#package=ns/n&x=1"]
)
def test_what_is_no_quilt_uri_does_not_parse(uri):
    assert parse_quilt_uri(uri) is None


def test_a_tag_names_the_revision_as_quilt3_writes_it():
    assert parse_quilt_uri("quilt+s3://b#package=ns/n:latest").ref == "latest"
