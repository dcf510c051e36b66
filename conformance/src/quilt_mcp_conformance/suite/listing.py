"""Listing packages and revisions, and resolving revision references."""

from __future__ import annotations

import pytest

from quilt_mcp.errors import InvalidInputError, NotFoundError
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import (
    History,
    all_pages,
    assert_recent,
    canonical,
    paged_items,
    push_chain,
    refused,
    texts,
    unused_hash,
)

PACKAGES = ["alpha-x/five", "alpha/one", "alpha/two", "beta/three", "gamma/four"]


@pytest.mark.requires("read", "write")
class ListPackagesSuite:
    """``list_packages``: every package once, sorted by name, filtered by prefix, paginated."""

    @pytest.fixture(scope="class")
    @classmethod
    def populated(cls, harness: BackendHarness, infra: Infrastructure) -> str:
        """A registry holding ``PACKAGES``, pushed in an unsorted order."""
        ops = harness.open(infra)
        registry = harness.new_registry(infra)
        for name in reversed(PACKAGES):
            ops.create_revision(registry, name, texts({"name.txt": name}))
        return registry

    def test_lists_every_package_sorted_by_name(self, ops: QuiltOps, populated: str) -> None:
        page = ops.list_packages(populated)
        assert [p.name for p in page.items] == sorted(PACKAGES)
        assert page.next_cursor is None
        assert {p.registry for p in page.items} == {canonical(populated)}

    def test_prefix_keeps_only_names_starting_with_it(self, ops: QuiltOps, populated: str) -> None:
        assert [p.name for p in ops.list_packages(populated, prefix="alpha/").items] == ["alpha/one", "alpha/two"]
        assert [p.name for p in ops.list_packages(populated, prefix="alpha").items] == [
            "alpha-x/five",
            "alpha/one",
            "alpha/two",
        ]

    def test_prefix_matching_nothing_gives_an_empty_last_page(self, ops: QuiltOps, populated: str) -> None:
        page = ops.list_packages(populated, prefix="zeta")
        assert page.items == [] and page.next_cursor is None

    def test_pages_hold_every_name_exactly_once_in_order(self, ops: QuiltOps, populated: str) -> None:
        pages = all_pages(lambda c: ops.list_packages(populated, cursor=c, limit=2), limit=2)
        assert [p.name for page in pages for p in page.items] == sorted(PACKAGES)
        assert len(pages) >= 3

    def test_pagination_combines_with_prefix(self, ops: QuiltOps, populated: str) -> None:
        names = [
            p.name
            for p in paged_items(lambda c: ops.list_packages(populated, prefix="alpha", cursor=c, limit=1), limit=1)
        ]
        assert names == ["alpha-x/five", "alpha/one", "alpha/two"]

    def test_empty_registry_lists_nothing(self, ops: QuiltOps, registry: str) -> None:
        """A registry with no package yet is empty, not missing."""
        page = ops.list_packages(registry)
        assert page.items == [] and page.next_cursor is None

    def test_limit_below_one_is_invalid(self, ops: QuiltOps, populated: str) -> None:
        with refused(InvalidInputError):
            ops.list_packages(populated, limit=0)


@pytest.mark.requires("read", "write")
class RevisionsSuite:
    """``list_revisions`` (newest first, paginated) and ``resolve_revision``."""

    @pytest.fixture(scope="class")
    @classmethod
    def history(cls, harness: BackendHarness, infra: Infrastructure) -> History:
        registry = harness.new_registry(infra)
        hashes = push_chain(harness.open(infra), registry, "history/pkg", [{"n.txt": str(n)} for n in range(3)])
        return History(registry, "history/pkg", hashes)

    def test_lists_every_revision_newest_first(self, ops: QuiltOps, history: History) -> None:
        """Every push is its own revision, even when pushes land within the same second.

        The registry names timestamp pointers by unix seconds; a backend must
        not let a quick second push overwrite the first push's pointer.
        """
        page = ops.list_revisions(history.registry, history.name)
        assert [r.top_hash for r in page.items] == history.hashes[::-1]
        assert page.next_cursor is None
        stamps = [r.timestamp for r in page.items]
        assert stamps == sorted(stamps, reverse=True)
        for stamp in stamps:
            assert_recent(stamp)

    def test_revisions_paginate_in_the_same_order(self, ops: QuiltOps, history: History) -> None:
        pages = all_pages(lambda c: ops.list_revisions(history.registry, history.name, cursor=c, limit=1), limit=1)
        assert [r.top_hash for page in pages for r in page.items] == history.hashes[::-1]

    def test_missing_package_has_no_revisions(self, ops: QuiltOps, history: History) -> None:
        with refused(NotFoundError):
            ops.list_revisions(history.registry, "history/missing")

    def test_latest_resolves_to_the_last_push(self, ops: QuiltOps, history: History) -> None:
        assert ops.resolve_revision(history.registry, history.name) == history.hashes[-1]
        assert ops.resolve_revision(history.registry, history.name, "latest") == history.hashes[-1]

    def test_full_hash_resolves_to_itself(self, ops: QuiltOps, history: History) -> None:
        for top_hash in history.hashes:
            assert ops.resolve_revision(history.registry, history.name, top_hash) == top_hash

    def test_unique_prefix_resolves_to_the_full_hash(self, ops: QuiltOps, history: History) -> None:
        first = history.hashes[0]
        prefix = next(first[:n] for n in range(6, 65) if not any(h.startswith(first[:n]) for h in history.hashes[1:]))
        assert ops.resolve_revision(history.registry, history.name, prefix) == first

    def test_hash_is_case_insensitive(self, ops: QuiltOps, history: History) -> None:
        """Hex is hex: an upper-case hash names the same revision (``names.validate_ref`` lower-cases)."""
        top_hash = history.hashes[1]
        assert ops.resolve_revision(history.registry, history.name, top_hash.upper()) == top_hash

    @pytest.mark.parametrize("ref", ["abc12", "", "zzzzzz", "latest!", "g" * 64, "a" * 65])
    def test_malformed_ref_is_invalid(self, ops: QuiltOps, history: History, ref: str) -> None:
        with refused(InvalidInputError):
            ops.resolve_revision(history.registry, history.name, ref)

    def test_unknown_hash_is_not_found(self, ops: QuiltOps, history: History) -> None:
        unused = unused_hash(*history.hashes)
        with refused(NotFoundError):
            ops.resolve_revision(history.registry, history.name, unused)
        with refused(NotFoundError):
            ops.resolve_revision(history.registry, history.name, unused[:6])

    def test_missing_package_does_not_resolve(self, ops: QuiltOps, history: History) -> None:
        with refused(NotFoundError):
            ops.resolve_revision(history.registry, "history/missing")
