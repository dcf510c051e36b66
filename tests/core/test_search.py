"""The one search-matching rule every scanning backend applies."""

from __future__ import annotations

import pytest

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.search import match_package, search_needle

HASH = "a" * 64


def test_matches_name_message_and_metadata_case_insensitively():
    header = {"message": "Initial Survey", "user_meta": {"site": {"lake": "Mendota"}}}

    assert match_package("team/survey", HASH, header, "survey").matched == ["name", "message"]
    assert match_package("team/x", HASH, header, search_needle(" MENDOTA ")).matched == ["metadata"]


def test_no_match_and_odd_headers_give_none():
    assert match_package("team/x", HASH, {"message": None, "user_meta": "not a dict"}, "zzz") is None


def test_hit_carries_message_and_user_metadata():
    hit = match_package("team/x", HASH, {"message": "m", "user_meta": {"k": 1}}, "team")

    assert (hit.top_hash, hit.message, hit.user_meta) == (HASH, "m", {"k": 1})


@pytest.mark.parametrize("query", ["", "  ", None])
def test_an_empty_query_is_refused(query):
    with pytest.raises(InvalidInputError, match="empty"):
        search_needle(query)
