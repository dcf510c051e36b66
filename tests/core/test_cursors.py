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
