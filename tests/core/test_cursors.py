"""Opaque pagination cursors shared by every backend."""

from __future__ import annotations

import pytest

from quilt_mcp import cursors
from quilt_mcp.errors import InvalidInputError


def test_a_cursor_round_trips_what_it_resumes_after():
    cursor = cursors.encode("browse", "data/ünï/file.csv")

    assert "data" not in cursor
    assert cursors.decode("browse", cursor) == "data/ünï/file.csv"
    assert cursors.decode("browse", None) is None


@pytest.mark.parametrize("cursor", [cursors.encode("search", "a/b"), "not-a-cursor", "", "team/pkg"])
def test_a_cursor_from_another_listing_or_made_up_is_refused(cursor):
    with pytest.raises(InvalidInputError, match="next_cursor of the previous page"):
        cursors.decode("packages", cursor)


def test_a_bound_cursor_gives_back_the_backend_cursor_and_revision_to_its_own_listing():
    listing = cursors.Listing.of("browse", registry="s3://a", name="team/pkg", path="data", recursive=False)
    inner = cursors.encode("browse", "data/b.csv")

    cursor = listing.bind(inner, "f" * 64)

    same = cursors.Listing.of("browse", recursive=False, path="data", name="team/pkg", registry="s3://a")
    assert same.open(cursor) == ("f" * 64, inner)
    assert listing.bind(None, "f" * 64) is None
    assert listing.open(None) == (None, None)


@pytest.mark.parametrize(
    "other",
    [
        cursors.Listing.of("browse", registry="s3://b", name="team/pkg", path="data", recursive=False),
        cursors.Listing.of("browse", registry="s3://a", name="team/other", path="data", recursive=False),
        cursors.Listing.of("browse", registry="s3://a", name="team/pkg", path="", recursive=False),
        cursors.Listing.of("browse", registry="s3://a", name="team/pkg", path="data", recursive=True),
        cursors.Listing.of("list_packages", registry="s3://a", prefix=""),
    ],
    ids=["registry", "package", "path", "recursive", "kind"],
)
def test_a_bound_cursor_is_refused_by_another_listing_with_a_hint(other):
    listing = cursors.Listing.of("browse", registry="s3://a", name="team/pkg", path="data", recursive=False)
    cursor = listing.bind(cursors.encode("browse", "data/b.csv"), "f" * 64)

    with pytest.raises(InvalidInputError, match="belongs to another listing") as caught:
        other.open(cursor)
    assert "same arguments" in caught.value.hint


@pytest.mark.parametrize("cursor", [cursors.encode("browse", "data/b.csv"), "²", "", "bm90IGpzb24"])
def test_a_backend_cursor_or_garbage_is_no_bound_cursor(cursor):
    with pytest.raises(InvalidInputError, match="Invalid cursor"):
        cursors.Listing.of("browse", registry="s3://a").open(cursor)
