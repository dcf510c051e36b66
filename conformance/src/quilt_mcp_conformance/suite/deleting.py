"""Deleting revisions and whole packages."""

from __future__ import annotations

from typing import Any

import pytest

from quilt_mcp.errors import NotFoundError
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import (
    History,
    fetch_physical,
    package_names,
    push_chain,
    refused,
    texts,
    unused_hash,
)


def push_history(ops: QuiltOps, registry: str, revisions: int, *, other: bool = False) -> History:
    """``revisions`` revisions of ``del/pkg`` (``n.txt`` holds the revision number), and with ``other``
    one revision of ``del/other``."""
    hashes = push_chain(ops, registry, "del/pkg", [{"n.txt": str(n)} for n in range(revisions)])
    if other:
        ops.create_revision(registry, "del/other", texts({"o.txt": "other"}))
    return History(registry, "del/pkg", hashes)


@pytest.mark.requires("read", "write", "delete")
class DeleteSuite:
    """``delete_revision`` re-points ``latest``; ``delete_package`` removes every pointer but keeps the data.

    Refused deletes share one registry (each proves it changed nothing); the others get their own.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def untouched(cls, harness: BackendHarness, infra: Infrastructure) -> History:
        return push_history(harness.open(infra), harness.new_registry(infra), 1, other=True)

    def test_deleting_latest_repoints_it_to_the_newest_remaining(self, ops: QuiltOps, registry: str) -> None:
        history = push_history(ops, registry, 3)
        h1, h2, h3 = history.hashes
        result = ops.delete_revision(registry, history.name, h3)
        assert [r.top_hash for r in result.deleted_revisions] == [h3]
        assert (result.name, result.latest) == (history.name, h2)
        assert ops.resolve_revision(registry, history.name) == h2
        assert history.listed(ops) == [h2, h1]
        assert ops.read_entry(registry, history.name, "n.txt").content == "1"

    def test_deleting_an_older_revision_by_prefix_keeps_latest(self, ops: QuiltOps, registry: str) -> None:
        history = push_history(ops, registry, 2)
        h1, h2 = history.hashes
        result = ops.delete_revision(registry, history.name, h1[:8])
        assert [r.top_hash for r in result.deleted_revisions] == [h1]
        assert result.latest == h2
        assert history.listed(ops) == [h2]

    def test_deleting_the_only_revision_removes_the_package(self, ops: QuiltOps, registry: str) -> None:
        history = push_history(ops, registry, 1, other=True)
        result = ops.delete_revision(registry, history.name, history.hashes[0])
        assert result.latest is None
        assert package_names(ops, registry) == ["del/other"]
        with refused(NotFoundError):
            ops.resolve_revision(registry, history.name)

    def test_deleting_an_unknown_revision_is_not_found(self, ops: QuiltOps, untouched: History) -> None:
        with refused(NotFoundError):
            ops.delete_revision(untouched.registry, untouched.name, unused_hash(*untouched.hashes))
        assert untouched.listed(ops) == untouched.hashes

    def test_deleting_a_package_removes_every_pointer_of_it_and_keeps_its_data(
        self, ops: QuiltOps, registry: str, s3: Any
    ) -> None:
        history = push_history(ops, registry, 2, other=True)
        entry = ops.entry_info(registry, history.name, "n.txt")
        result = ops.delete_package(registry, history.name)
        assert {r.top_hash for r in result.deleted_revisions} == set(history.hashes)
        assert result.latest is None
        assert package_names(ops, registry) == ["del/other"]
        for call in (ops.list_revisions, ops.resolve_revision, ops.package_info):
            with refused(NotFoundError):
                call(registry, history.name)
        assert ops.read_entry(registry, "del/other", "o.txt").content == "other"
        assert fetch_physical(s3, entry.physical_key) == b"1", "delete_package must keep manifests and data"

    def test_deleting_a_missing_package_is_not_found(self, ops: QuiltOps, untouched: History) -> None:
        with refused(NotFoundError):
            ops.delete_package(untouched.registry, "del/missing")
        assert package_names(ops, untouched.registry) == ["del/other", "del/pkg"]
