"""Buckets and plain S3 objects: listing, inspecting and reading them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quilt_mcp.errors import InvalidInputError, NotFoundError
from quilt_mcp.models import ObjectInfo
from quilt_mcp.ops import QuiltOps
from quilt_mcp.uris import parse_s3_uri
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import assert_recent, paged_items, put_objects, refused

BINARY = b"\x89PNG\r\n\x1a\n\x00\xff"
OBJECTS = {
    "top.txt": b"top",
    "dir/a.txt": b"aa",
    "dir/sub/c.txt": b"ccc",
    "other/d.bin": BINARY,
    "unicodé/straße.txt": "straße ☕".encode(),
}
CSV_KEY, CSV = "dir/b.csv", b"x,y\n1,2\n3,4\n"
VERSIONED_KEY, OLD, NEW = "versioned.txt", b"version one", b"v2"


LISTED = ("s3", "catalog")
"""Sources of buckets a backend listed itself (S3's bucket list, or a catalog's)."""


@dataclass(frozen=True)
class Tree:
    """A bucket of ``OBJECTS``, a CSV with a content type, and an object with two versions."""

    bucket: str
    old_version: str
    new_version: str

    def uri(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key}"

    def sizes(self) -> dict[str, int]:
        every = OBJECTS | {CSV_KEY: CSV, VERSIONED_KEY: NEW}
        return {key: len(data) for key, data in every.items()}


def listed(items: list[ObjectInfo]) -> list[tuple[str, str]]:
    """``(kind, key)`` of every listed item, keys percent-decoded, in listing order."""
    return [(item.kind, parse_s3_uri(item.uri).key) for item in items]


@pytest.mark.requires("buckets")
class BucketsSuite:
    """``list_buckets``, ``list_objects``, ``object_info`` and ``read_object`` on a plain bucket."""

    @pytest.fixture(scope="class")
    @classmethod
    def tree(cls, harness: BackendHarness, infra: Infrastructure) -> Tree:
        s3 = infra.s3_client()
        bucket = harness.new_source_bucket(infra)
        put_objects(s3, bucket, OBJECTS)
        put_objects(s3, bucket, {CSV_KEY: CSV}, content_type="text/csv")
        old = put_objects(s3, bucket, {VERSIONED_KEY: OLD})[VERSIONED_KEY]
        new = put_objects(s3, bucket, {VERSIONED_KEY: NEW})[VERSIONED_KEY]
        return Tree(bucket, old, new)

    def test_list_buckets_includes_a_reachable_bucket_once(self, ops: QuiltOps, tree: Tree) -> None:
        """Listed by S3 (``s3``) or, for a backend working through a catalog, by the catalog (``catalog``)."""
        buckets = ops.list_buckets()
        assert [b.source for b in buckets if b.uri == f"s3://{tree.bucket}"] in (["s3"], ["catalog"])
        assert len({b.uri for b in buckets}) == len(buckets)

    def test_configured_registries_follow_the_listed_buckets_without_duplicates(
        self, harness: BackendHarness, infra: Infrastructure, tree: Tree
    ) -> None:
        listed_too, configured_only = f"s3://{tree.bucket}", f"s3://{infra.unique('configured-only')}"
        try:
            ops = harness.open_configured(infra, [listed_too, configured_only])
        except NotImplementedError as err:
            pytest.skip(str(err))
        buckets = ops.list_buckets()
        assert [b.source for b in buckets if b.uri == listed_too] in (["s3"], ["catalog"])
        assert [b.source for b in buckets if b.uri == configured_only] == ["configured"]
        last_listed = max(i for i, b in enumerate(buckets) if b.source in LISTED)
        first_configured = min(i for i, b in enumerate(buckets) if b.source == "configured")
        assert last_listed < first_configured, "configured registries come after the listed buckets"

    def test_one_level_lists_objects_and_prefixes(self, ops: QuiltOps, tree: Tree) -> None:
        page = ops.list_objects(tree.uri())
        assert sorted(listed(page.items)) == [
            ("object", "top.txt"),
            ("object", VERSIONED_KEY),
            ("prefix", "dir/"),
            ("prefix", "other/"),
            ("prefix", "unicodé/"),
        ]
        assert page.next_cursor is None
        sizes = tree.sizes()
        assert all(item.size == sizes[parse_s3_uri(item.uri).key] for item in page.items if item.kind == "object")

    def test_a_prefix_lists_its_own_level(self, ops: QuiltOps, tree: Tree) -> None:
        assert sorted(listed(ops.list_objects(tree.uri("dir/")).items)) == [
            ("object", "dir/a.txt"),
            ("object", CSV_KEY),
            ("prefix", "dir/sub/"),
        ]
        assert listed(ops.list_objects(tree.uri("unicodé/")).items) == [("object", "unicodé/straße.txt")]

    def test_a_prefix_without_a_trailing_slash_is_read_as_a_directory(self, ops: QuiltOps, tree: Tree) -> None:
        """``s3://b/dir`` lists what is inside ``dir/``, as ``s3://b/dir/`` does (every backend alike)."""
        assert listed(ops.list_objects(tree.uri("dir")).items) == listed(ops.list_objects(tree.uri("dir/")).items)

    def test_recursive_lists_every_object_below(self, ops: QuiltOps, tree: Tree) -> None:
        assert sorted(listed(ops.list_objects(tree.uri(), recursive=True).items)) == sorted(
            ("object", key) for key in tree.sizes()
        )
        assert sorted(listed(ops.list_objects(tree.uri("dir/"), recursive=True).items)) == [
            ("object", "dir/a.txt"),
            ("object", CSV_KEY),
            ("object", "dir/sub/c.txt"),
        ]

    @pytest.mark.parametrize("recursive", [False, True], ids=["one-level", "recursive"])
    def test_pages_cover_a_listing_exactly_once(self, ops: QuiltOps, tree: Tree, recursive: bool) -> None:
        whole = listed(ops.list_objects(tree.uri(), recursive=recursive).items)
        paged = listed(
            paged_items(lambda c: ops.list_objects(tree.uri(), recursive=recursive, cursor=c, limit=2), limit=2)
        )
        assert sorted(paged) == sorted(whole)
        assert len(set(paged)) == len(paged)

    def test_missing_bucket_is_not_found(self, ops: QuiltOps, infra: Infrastructure) -> None:
        with refused(NotFoundError):
            ops.list_objects(f"s3://{infra.unique('never-created')}/")

    def test_object_info_describes_the_current_version(self, ops: QuiltOps, tree: Tree) -> None:
        info = ops.object_info(tree.uri(CSV_KEY))
        assert (info.kind, info.size, info.content_type) == ("object", len(CSV), "text/csv")
        assert info.etag
        assert info.last_modified is not None
        assert_recent(info.last_modified)
        assert ops.object_info(tree.uri(VERSIONED_KEY)).version_id == tree.new_version

    def test_object_info_honours_a_version_id(self, ops: QuiltOps, tree: Tree) -> None:
        info = ops.object_info(f"{tree.uri(VERSIONED_KEY)}?versionId={tree.old_version}")
        assert (info.size, info.version_id) == (len(OLD), tree.old_version)

    def test_a_missing_object_is_not_found(self, ops: QuiltOps, tree: Tree) -> None:
        for key in ("nope.txt", "nope/"):
            with refused(NotFoundError):
                ops.object_info(tree.uri(key))

    def test_a_prefix_that_list_objects_shows_is_described_as_a_prefix(self, ops: QuiltOps, tree: Tree) -> None:
        listed = [item for item in ops.list_objects(tree.uri()).items if item.kind == "prefix"]
        assert tree.uri("dir/") in [item.uri for item in listed]
        for key in ("dir", "dir/"):
            info = ops.object_info(tree.uri(key))
            assert (info.kind, info.uri) == ("prefix", tree.uri("dir/"))

    def test_reads_text_whole(self, ops: QuiltOps, tree: Tree) -> None:
        result = ops.read_object(tree.uri(CSV_KEY))
        assert (result.encoding, result.content, result.truncated) == ("utf-8", CSV.decode(), False)
        assert (result.offset, result.length, result.total_size) == (0, len(CSV), len(CSV))
        assert result.source == tree.uri(CSV_KEY)

    def test_reads_unicode_from_a_unicode_key(self, ops: QuiltOps, tree: Tree) -> None:
        result = ops.read_object(tree.uri("unicodé/straße.txt"))
        assert result.content == "straße ☕"

    def test_max_bytes_and_offset_cut_the_read(self, ops: QuiltOps, tree: Tree) -> None:
        head = ops.read_object(tree.uri(CSV_KEY), max_bytes=4)
        assert (head.content, head.length, head.total_size, head.truncated) == ("x,y\n", 4, len(CSV), True)
        tail = ops.read_object(tree.uri(CSV_KEY), offset=8)
        assert (tail.content, tail.offset, tail.truncated) == ("3,4\n", 8, False)

    def test_binary_reads_as_base64_and_not_as_text(self, ops: QuiltOps, tree: Tree) -> None:
        result = ops.read_object(tree.uri("other/d.bin"))
        assert (result.encoding, result.data()) == ("base64", BINARY)
        with refused(InvalidInputError):
            ops.read_object(tree.uri("other/d.bin"), mode="text")

    def test_reads_an_older_version(self, ops: QuiltOps, tree: Tree) -> None:
        result = ops.read_object(f"{tree.uri(VERSIONED_KEY)}?versionId={tree.old_version}")
        assert result.data() == OLD

    def test_missing_object_cannot_be_read(self, ops: QuiltOps, tree: Tree) -> None:
        with refused(NotFoundError):
            ops.read_object(tree.uri("nope.txt"))

    @pytest.mark.parametrize("uri", ["https://example.com/x", "bucket/key", "s3://Bad_Bucket/x"])
    def test_malformed_uri_is_refused(self, ops: QuiltOps, uri: str) -> None:
        for call in (ops.list_objects, ops.object_info, ops.read_object):
            with refused(InvalidInputError):
                call(uri)
