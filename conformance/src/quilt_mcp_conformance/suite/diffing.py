"""Comparing two revisions of a package."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quilt_mcp.errors import NotFoundError
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import refused, texts, unused_hash

BEFORE = {"a.txt": "alpha", "b.txt": "bravo", "c.txt": "charlie", "same.txt": "same"}
AFTER = {"b.txt": "BRAVO", "c.txt": "charlie", "same.txt": "same", "d.txt": "delta", "e/f.txt": "foxtrot"}


@dataclass(frozen=True)
class TwoRevisions:
    registry: str
    name: str
    before: str
    after: str


@pytest.mark.requires("read", "write")
class DiffSuite:
    """``diff``: added, removed and changed entries (content or metadata), complete counts, header changes.

    The lists are compared as sets: the contract does not fix their order.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def revisions(cls, harness: BackendHarness, infra: Infrastructure) -> TwoRevisions:
        ops = harness.open(infra)
        registry = harness.new_registry(infra)
        name = "diff/pkg"
        first = ops.create_revision(
            registry, name, texts(BEFORE, {"c.txt": {"k": 1}}), message="before", user_meta={"stage": "raw"}
        )
        second = ops.create_revision(
            registry,
            name,
            texts(AFTER, {"c.txt": {"k": 2}}),
            message="after",
            user_meta={"stage": "clean"},
            base_hash=first.top_hash,
        )
        return TwoRevisions(registry, name, first.top_hash, second.top_hash)

    def test_lists_added_removed_and_changed_entries(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.before, revisions.after)
        assert set(diff.added) == {"d.txt", "e/f.txt"}
        assert diff.removed == ["a.txt"]
        assert {c.logical_key for c in diff.changed} == {"b.txt", "c.txt"}
        assert (diff.added_count, diff.removed_count, diff.changed_count) == (2, 1, 2)
        assert not diff.truncated

    def test_changed_entries_show_both_sides(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        """``b.txt`` changed its bytes (same size); ``c.txt`` changed only its metadata."""
        diff = ops.diff(revisions.registry, revisions.name, revisions.before, revisions.after)
        changes = {c.logical_key: c for c in diff.changed}
        content = changes["b.txt"]
        assert content.before.size == content.after.size == 5
        assert content.before.hash != content.after.hash
        meta_only = changes["c.txt"]
        assert meta_only.before.hash == meta_only.after.hash
        assert (meta_only.before.user_meta, meta_only.after.user_meta) == ({"k": 1}, {"k": 2})

    def test_reports_header_changes(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.before, revisions.after)
        assert (diff.message_before, diff.message_after) == ("before", "after")
        assert (diff.user_meta_before, diff.user_meta_after) == ({"stage": "raw"}, {"stage": "clean"})
        assert diff.metadata_changed

    def test_refs_resolve_and_after_defaults_to_latest(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.before[:8])
        assert (diff.name, diff.before, diff.after) == (revisions.name, revisions.before, revisions.after)
        assert diff.added_count == 2

    def test_reverse_diff_swaps_added_and_removed(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.after, revisions.before)
        assert diff.added == ["a.txt"]
        assert set(diff.removed) == {"d.txt", "e/f.txt"}
        assert diff.changed_count == 2

    def test_limit_cuts_the_lists_but_not_the_counts(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.before, revisions.after, limit=1)
        assert len(diff.added) <= 1 and len(diff.removed) <= 1 and len(diff.changed) <= 1
        assert set(diff.added) <= {"d.txt", "e/f.txt"}
        assert (diff.added_count, diff.removed_count, diff.changed_count) == (2, 1, 2)
        assert diff.truncated

    def test_a_revision_does_not_differ_from_itself(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        diff = ops.diff(revisions.registry, revisions.name, revisions.after, revisions.after)
        assert (diff.added, diff.removed, diff.changed) == ([], [], [])
        assert (diff.added_count, diff.removed_count, diff.changed_count) == (0, 0, 0)
        assert not diff.truncated and not diff.metadata_changed

    def test_unknown_revision_is_not_found(self, ops: QuiltOps, revisions: TwoRevisions) -> None:
        with refused(NotFoundError):
            ops.diff(revisions.registry, revisions.name, unused_hash(revisions.before, revisions.after))
