"""A cursor belongs to its listing, and a hash prefix to its package.

A cursor resumes the listing that returned it (same registry, package,
revision, path, options and query) and is refused anywhere else, whichever
backend made it. Paging ``latest`` never mixes two revisions: a cursor from
before ``latest`` moved is refused, and one pinned to its top hash goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from quilt_mcp.errors import ConflictError, InvalidInputError, NotFoundError
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import paged_items, put_objects, refused, texts

FILES = {f"{n}.txt": f"top {n}" for n in range(4)} | {f"data/{n}.txt": f"file {n}" for n in range(3)} | {
    "data/sub/deep.txt": "deep"
}
MINE, THEIRS = "cursors/mine", "cursors/theirs"


@dataclass(frozen=True)
class Packages:
    """Two packages of the same keys (so another's cursor could be misread silently), in two registries."""

    registry: str
    other_registry: str
    hashes: dict[str, str]


def unique_prefix(top_hash: str, *others: str) -> str:
    """The shortest prefix (6 or more characters) of ``top_hash`` that none of ``others`` starts with."""
    return next(top_hash[:n] for n in range(6, 65) if not any(o.startswith(top_hash[:n]) for o in others))


@pytest.mark.requires("read", "write")
class CursorSuite:
    """Cursors of ``browse``, ``list_packages`` and ``list_revisions`` work only in their own listing."""

    @pytest.fixture(scope="class")
    @classmethod
    def packages(cls, harness: BackendHarness, infra: Infrastructure) -> Packages:
        ops = harness.open(infra)
        registry, other = harness.new_registry(infra), harness.new_registry(infra)
        hashes = {}
        for name in (MINE, THEIRS):
            hashes[name] = ops.create_revision(registry, name, texts(FILES | {"name.txt": name})).top_hash
            ops.create_revision(other, name, texts(FILES | {"name.txt": name}))
        return Packages(registry, other, hashes)

    def first_cursor(self, ops: QuiltOps, packages: Packages, **options: Any) -> str:
        page = ops.browse(packages.registry, MINE, limit=2, **options)
        assert page.next_cursor is not None
        return page.next_cursor

    def test_a_browse_cursor_resumes_its_own_listing(self, ops: QuiltOps, packages: Packages) -> None:
        pages = paged_items(lambda c: ops.browse(packages.registry, MINE, path="data/", cursor=c, limit=2), limit=2)
        assert [i.path for i in pages] == ["data/0.txt", "data/1.txt", "data/2.txt", "data/sub/"]

    @pytest.mark.parametrize(
        "elsewhere",
        [
            pytest.param(lambda p: {"registry": p.registry, "name": THEIRS}, id="another-package"),
            pytest.param(lambda p: {"registry": p.other_registry, "name": MINE}, id="another-registry"),
            pytest.param(lambda p: {"registry": p.registry, "name": MINE, "path": "data/"}, id="another-path"),
            pytest.param(lambda p: {"registry": p.registry, "name": MINE, "recursive": True}, id="recursive"),
        ],
    )
    def test_a_browse_cursor_is_refused_by_another_listing(
        self, ops: QuiltOps, packages: Packages, elsewhere: Callable[[Packages], dict[str, Any]]
    ) -> None:
        cursor = self.first_cursor(ops, packages)
        arguments = elsewhere(packages)
        with refused(InvalidInputError) as caught:
            ops.browse(arguments.pop("registry"), arguments.pop("name"), cursor=cursor, **arguments)
        assert "another listing" in caught.value.message

    def test_a_browse_cursor_is_refused_for_another_revision(self, ops: QuiltOps, registry: str) -> None:
        name = "cursors/revisions"
        older = ops.create_revision(registry, name, texts(FILES)).top_hash
        newer = ops.create_revision(registry, name, texts(FILES | {"new.txt": "n"}), base_hash=older).top_hash
        cursor = ops.browse(registry, name, older, limit=2).next_cursor
        assert cursor is not None
        with refused(InvalidInputError) as caught:
            ops.browse(registry, name, newer, cursor=cursor)
        assert older in caught.value.hint

    def test_a_cursor_of_one_kind_is_refused_by_another(self, ops: QuiltOps, packages: Packages) -> None:
        cursor = self.first_cursor(ops, packages)
        with refused(InvalidInputError):
            ops.list_packages(packages.registry, cursor=cursor)
        with refused(InvalidInputError):
            ops.list_revisions(packages.registry, MINE, cursor=cursor)

    def test_a_package_list_cursor_is_refused_for_another_prefix_or_registry(
        self, ops: QuiltOps, packages: Packages
    ) -> None:
        cursor = ops.list_packages(packages.registry, limit=1).next_cursor
        assert cursor is not None
        assert [p.name for p in ops.list_packages(packages.registry, cursor=cursor, limit=1).items] == [THEIRS]
        with refused(InvalidInputError):
            ops.list_packages(packages.registry, prefix="cursors/", cursor=cursor)
        with refused(InvalidInputError):
            ops.list_packages(packages.other_registry, cursor=cursor)

    def test_a_revision_list_cursor_is_refused_for_another_package(self, ops: QuiltOps, registry: str) -> None:
        name, other = "cursors/revisions", "cursors/other"
        base = ops.create_revision(registry, name, texts({"n": "0"})).top_hash
        ops.create_revision(registry, name, texts({"n": "1"}), base_hash=base)
        ops.create_revision(registry, other, texts({"n": "2"}))
        cursor = ops.list_revisions(registry, name, limit=1).next_cursor
        assert cursor is not None
        assert [r.top_hash for r in ops.list_revisions(registry, name, cursor=cursor, limit=1).items] == [base]
        with refused(InvalidInputError):
            ops.list_revisions(registry, other, cursor=cursor)

    def test_paging_latest_after_it_moved_is_refused_not_mixed(self, ops: QuiltOps, registry: str) -> None:
        name = "cursors/moving"
        first = ops.create_revision(registry, name, texts(FILES)).top_hash
        page = ops.browse(registry, name, limit=2)
        assert page.top_hash == first and page.next_cursor is not None
        moved = ops.create_revision(registry, name, texts({"other.txt": "x"}), base_hash=first).top_hash
        with refused(ConflictError) as caught:
            ops.browse(registry, name, cursor=page.next_cursor, limit=2)
        assert "changed" in caught.value.message and first in caught.value.hint
        assert first in caught.value.message and moved in caught.value.message

        rest = ops.browse(registry, name, first, cursor=page.next_cursor, limit=100)
        assert rest.top_hash == first
        assert [i.path for i in page.items + rest.items] == [i.path for i in ops.browse(registry, name, first).items]

    def test_a_cursor_for_latest_goes_on_while_latest_stays(self, ops: QuiltOps, packages: Packages) -> None:
        cursor = self.first_cursor(ops, packages)
        page = ops.browse(packages.registry, MINE, "latest", cursor=cursor, limit=2)
        assert page.top_hash == packages.hashes[MINE]
        pinned = ops.browse(packages.registry, MINE, packages.hashes[MINE][:12], cursor=cursor, limit=2)
        assert pinned.items == page.items

    def test_a_hash_prefix_resolves_only_among_the_packages_own_revisions(
        self, ops: QuiltOps, packages: Packages
    ) -> None:
        mine, theirs = packages.hashes[MINE], packages.hashes[THEIRS]
        assert ops.resolve_revision(packages.registry, MINE, unique_prefix(mine, theirs)) == mine
        prefix = unique_prefix(theirs, mine)
        with refused(NotFoundError):
            ops.resolve_revision(packages.registry, MINE, prefix)
        with refused(NotFoundError):
            ops.browse(packages.registry, MINE, prefix)
        with refused(NotFoundError):
            ops.package_info(packages.registry, MINE, prefix)


@pytest.mark.requires("read", "write", "search")
class SearchCursorSuite:
    """A ``search_packages`` cursor works only for the query and registry that returned it."""

    def test_a_search_cursor_is_refused_for_another_query(self, ops: QuiltOps, registry: str) -> None:
        for n in range(3):
            ops.create_revision(registry, f"found/p{n}", texts({"f": "x"}), message="needle words")
        cursor = ops.search_packages(registry, "needle", limit=1).next_cursor
        assert cursor is not None
        with refused(InvalidInputError):
            ops.search_packages(registry, "words", cursor=cursor)
        with refused(InvalidInputError):
            ops.list_packages(registry, cursor=cursor)


@pytest.mark.requires("buckets")
class ObjectCursorSuite:
    """A ``list_objects`` cursor works only for the prefix and recursion that returned it."""

    def test_an_object_list_cursor_is_refused_for_another_prefix(
        self, ops: QuiltOps, harness: BackendHarness, infra: Infrastructure
    ) -> None:
        bucket = harness.new_source_bucket(infra)
        put_objects(infra.s3_client(), bucket, {f"{d}/{n}.txt": b"x" for d in ("a", "b") for n in range(3)})
        cursor = ops.list_objects(f"s3://{bucket}/a/", limit=1).next_cursor
        assert cursor is not None
        assert len(ops.list_objects(f"s3://{bucket}/a", cursor=cursor, limit=5).items) == 2
        with refused(InvalidInputError):
            ops.list_objects(f"s3://{bucket}/b/", cursor=cursor)
        with refused(InvalidInputError):
            ops.list_objects(f"s3://{bucket}/a/", recursive=True, cursor=cursor)
