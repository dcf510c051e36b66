"""Searching packages by name, latest message and latest user metadata."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import paged_items, texts

PACKAGES = {
    "genomics/rna-seq": ("Sequencing run 42 dataset", {"organism": "Mouse", "lab": {"name": "Smith Lab"}}),
    "imaging/microscopy": ("Confocal stacks dataset", {"organism": "Zebrafish"}),
    "misc/notes": ("Notes dataset", {}),
}
OLD = ("obsolete-wording dataset", {"status": "retired-flag"})
NEW = ("Fresh wording dataset", {"status": "current"})


@dataclass(frozen=True)
class Searchable:
    registry: str
    latest: dict[str, str]


@pytest.mark.requires("read", "write", "search")
class SearchSuite:
    """``search_packages``: case-insensitive substring match on name, latest message, latest user metadata."""

    @pytest.fixture(scope="class")
    @classmethod
    def searchable(cls, harness: BackendHarness, infra: Infrastructure) -> Searchable:
        ops = harness.open(infra)
        registry = harness.new_registry(infra)
        latest = {}
        for name, (message, meta) in PACKAGES.items():
            latest[name] = ops.create_revision(
                registry, name, texts({"f.txt": name}), message=message, user_meta=meta
            ).top_hash
        old = ops.create_revision(registry, "archive/old", texts({"f.txt": "old"}), message=OLD[0], user_meta=OLD[1])
        latest["archive/old"] = ops.create_revision(
            registry, "archive/old", texts({"f.txt": "new"}), message=NEW[0], user_meta=NEW[1], base_hash=old.top_hash
        ).top_hash
        return Searchable(registry, latest)

    def test_finds_by_part_of_the_name(self, ops: QuiltOps, searchable: Searchable) -> None:
        (hit,) = ops.search_packages(searchable.registry, "rna").items
        assert hit.name == "genomics/rna-seq"
        assert "name" in hit.matched

    def test_matching_ignores_case(self, ops: QuiltOps, searchable: Searchable) -> None:
        assert [h.name for h in ops.search_packages(searchable.registry, "MICROSCOPY").items] == ["imaging/microscopy"]
        assert [h.name for h in ops.search_packages(searchable.registry, "confocal").items] == ["imaging/microscopy"]

    def test_finds_by_latest_message(self, ops: QuiltOps, searchable: Searchable) -> None:
        (hit,) = ops.search_packages(searchable.registry, "run 42").items
        assert hit.name == "genomics/rna-seq"
        assert hit.matched == ["message"]

    def test_finds_by_nested_metadata_value(self, ops: QuiltOps, searchable: Searchable) -> None:
        (hit,) = ops.search_packages(searchable.registry, "smith lab").items
        assert hit.name == "genomics/rna-seq"
        assert hit.matched == ["metadata"]
        assert [h.name for h in ops.search_packages(searchable.registry, "zebrafish").items] == ["imaging/microscopy"]

    def test_hit_describes_the_latest_revision(self, ops: QuiltOps, searchable: Searchable) -> None:
        (hit,) = ops.search_packages(searchable.registry, "fresh wording").items
        assert (hit.name, hit.top_hash) == ("archive/old", searchable.latest["archive/old"])
        assert (hit.message, hit.user_meta) == NEW

    def test_older_revisions_are_not_searched(self, ops: QuiltOps, searchable: Searchable) -> None:
        assert ops.search_packages(searchable.registry, "obsolete-wording").items == []
        assert ops.search_packages(searchable.registry, "retired-flag").items == []

    def test_no_match_gives_an_empty_last_page(self, ops: QuiltOps, searchable: Searchable) -> None:
        page = ops.search_packages(searchable.registry, "no-such-thing-anywhere")
        assert page.items == [] and page.next_cursor is None

    def test_an_empty_query_is_refused_with_a_hint(self, ops: QuiltOps, searchable: Searchable) -> None:
        for query in ("", "   "):
            with pytest.raises(InvalidInputError) as err:
                ops.search_packages(searchable.registry, query)
            assert err.value.hint

    def test_pages_hold_every_hit_exactly_once(self, ops: QuiltOps, searchable: Searchable) -> None:
        hits = paged_items(lambda c: ops.search_packages(searchable.registry, "dataset", cursor=c, limit=1), limit=1)
        assert sorted(h.name for h in hits) == sorted(searchable.latest)
        assert {h.name: h.top_hash for h in hits} == searchable.latest
