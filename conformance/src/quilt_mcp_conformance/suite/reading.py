"""Reading one revision: its header, its tree, its entries and their bytes."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from quilt_mcp.errors import InvalidInputError, NotFoundError
from quilt_mcp.models import EntrySource, PushResult
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import (
    all_pages,
    assert_hash_of,
    assert_recent,
    canonical,
    fetch,
    paged_items,
    put_objects,
    refused,
    stored_in,
    texts,
    unused_hash,
)

TEXTS = {
    "README.md": "# Sample package\n",
    "data/a.csv": "x,y\n1,2\n",
    "data/b.csv": "x,y\n3,4\n5,6\n",
    "data/nested/deep/c.txt": "deep",
    "empty.txt": "",
    "données/été.txt": "café ☕ 😀",
    "odd names/a b&c+d.txt": "spaces, ampersand and plus",
    "odd names/100%.txt": "a percent sign",
}
ODD_KEYS = ["odd names/a b&c+d.txt", "odd names/100%.txt"]
ROOT = ["README.md", "bin/", "data/", "données/", "empty.txt", "odd names/"]
BINARY_KEY = "bin/blob.bin"
BINARY = b"\xff\xfe\x00\x01binary\x80\x81"
ENTRY_META = {"data/a.csv": {"units": "cm", "columns": {"x": "int", "y": ["int", None]}}}
MESSAGE = "first revision"
USER_META = {"project": {"name": "Alpha", "tags": ["a", "b"]}, "count": 3, "ok": True}
NAME = "sample/pkg"


@dataclass(frozen=True)
class Sample:
    """A package pushed through the backend: its files as bytes and what the push returned."""

    registry: str
    name: str
    source_bucket: str
    pushed: PushResult
    files: dict[str, bytes]

    @property
    def top_hash(self) -> str:
        return self.pushed.top_hash

    def size_below(self, prefix: str) -> int:
        return sum(len(data) for key, data in self.files.items() if key.startswith(prefix))


def build_sample(harness: BackendHarness, infra: Infrastructure) -> Sample:
    """Push the sample package through the backend under test (see the ``sample`` fixture)."""
    ops = harness.open(infra)
    registry = harness.new_registry(infra)
    bucket = harness.new_source_bucket(infra)
    put_objects(infra.s3_client(), bucket, {"raw/blob.bin": BINARY})
    entries = [*texts(TEXTS, ENTRY_META), EntrySource(logical_key=BINARY_KEY, source=f"s3://{bucket}/raw/blob.bin")]
    pushed = ops.create_revision(registry, NAME, entries, message=MESSAGE, user_meta=USER_META)
    files = {key: text.encode("utf-8") for key, text in TEXTS.items()} | {BINARY_KEY: BINARY}
    return Sample(registry, NAME, bucket, pushed, files)


@pytest.mark.requires("read", "write")
class SamplePackage:
    """Base of the suites that read the ``sample`` package (text, unicode, empty, nested and binary entries).

    The ``sample`` fixture (``quilt_mcp_conformance.suite.fixtures``) is pushed
    once per harness and worker and only read afterwards.
    """


class PackageInfoSuite(SamplePackage):
    """``package_info``: header, counts and time of one revision; what the push reported agrees."""

    def test_reports_message_and_nested_user_metadata(self, ops: QuiltOps, sample: Sample) -> None:
        info = ops.package_info(sample.registry, sample.name)
        assert info.message == MESSAGE
        assert info.user_meta == USER_META
        assert (info.name, info.registry, info.top_hash) == (sample.name, canonical(sample.registry), sample.top_hash)

    def test_counts_entries_and_bytes(self, ops: QuiltOps, sample: Sample) -> None:
        info = ops.package_info(sample.registry, sample.name)
        assert info.entry_count == len(sample.files)
        assert info.total_bytes == sum(len(data) for data in sample.files.values())

    def test_push_result_describes_the_new_revision(self, ops: QuiltOps, sample: Sample) -> None:
        pushed = sample.pushed
        assert (pushed.name, pushed.registry) == (sample.name, canonical(sample.registry))
        assert pushed.top_hash == ops.resolve_revision(sample.registry, sample.name)
        assert (pushed.entry_count, pushed.total_bytes) == (len(sample.files), sample.size_below(""))
        assert pushed.previous_hash is None
        assert_recent(pushed.timestamp)

    def test_latest_time_is_the_revision_time(self, ops: QuiltOps, sample: Sample) -> None:
        """For ``latest`` the push time is known (it names the pointer file), so it is reported."""
        info = ops.package_info(sample.registry, sample.name)
        (revision,) = ops.list_revisions(sample.registry, sample.name).items
        assert info.timestamp == revision.timestamp
        assert int(sample.pushed.timestamp.timestamp()) == int(revision.timestamp.timestamp())

    def test_hash_prefix_names_the_same_revision(self, ops: QuiltOps, sample: Sample) -> None:
        by_prefix = ops.package_info(sample.registry, sample.name, sample.top_hash[:8])
        assert by_prefix.top_hash == sample.top_hash
        assert by_prefix.message == MESSAGE

    def test_missing_package_is_not_found(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.package_info(sample.registry, "sample/missing")

    def test_unknown_revision_is_not_found(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.package_info(sample.registry, sample.name, unused_hash(sample.top_hash))

    def test_revision_without_message_or_metadata(self, ops: QuiltOps, registry: str) -> None:
        ops.create_revision(registry, "bare/pkg", texts({"a.txt": "a"}))
        info = ops.package_info(registry, "bare/pkg")
        assert info.message is None
        assert info.user_meta == {}
        assert (info.entry_count, info.total_bytes) == (1, 1)


class BrowseSuite(SamplePackage):
    """``browse``: one level (files and directories ending in '/'), recursive, paginated, sorted by path."""

    def test_root_lists_files_and_directories_sorted(self, ops: QuiltOps, sample: Sample) -> None:
        page = ops.browse(sample.registry, sample.name)
        assert [(i.path, i.kind) for i in page.items] == [
            (path, "directory" if path.endswith("/") else "file") for path in ROOT
        ]
        assert (page.name, page.top_hash, page.path, page.next_cursor) == (sample.name, sample.top_hash, "", None)

    def test_files_carry_size_and_hash_and_directories_their_total_size(self, ops: QuiltOps, sample: Sample) -> None:
        """A directory's size is the total bytes below it, as ``BrowseItem.size`` documents."""
        page = ops.browse(sample.registry, sample.name, path="data/")
        for item in page.items:
            if item.kind == "file":
                entry = ops.entry_info(sample.registry, sample.name, item.path)
                assert item.size == len(sample.files[item.path])
                assert (item.hash_type or page.hash_type, item.hash) == (entry.hash.type, entry.hash.value)
            else:
                assert item.size == sample.size_below(item.path)

    def test_page_states_once_what_every_item_shares(self, ops: QuiltOps, sample: Sample) -> None:
        """Items repeat neither the package, the revision nor a shared hash type (issue 13, compact pages)."""
        page = ops.browse(sample.registry, sample.name, recursive=True)
        files = [item for item in page.items if item.kind == "file"]
        assert page.hash_type == ops.entry_info(sample.registry, sample.name, files[0].path).hash.type
        assert all(item.hash_type is None for item in files)  # the sample uses one hash type
        for item in page.model_dump(mode="json")["items"]:
            assert set(item) == {"path", "kind", "size", "hash"}

    def test_directory_lists_its_own_level_with_full_paths(self, ops: QuiltOps, sample: Sample) -> None:
        page = ops.browse(sample.registry, sample.name, path="data/")
        assert [i.path for i in page.items] == ["data/a.csv", "data/b.csv", "data/nested/"]
        assert page.path == "data/"

    def test_directory_without_trailing_slash_is_the_same_directory(self, ops: QuiltOps, sample: Sample) -> None:
        """``path='data'`` browses the directory ``data/``: a careful user may leave the slash off."""
        page = ops.browse(sample.registry, sample.name, path="data")
        assert [i.path for i in page.items] == ["data/a.csv", "data/b.csv", "data/nested/"]

    def test_nested_and_unicode_directories(self, ops: QuiltOps, sample: Sample) -> None:
        assert [i.path for i in ops.browse(sample.registry, sample.name, path="data/nested/").items] == [
            "data/nested/deep/"
        ]
        assert [i.path for i in ops.browse(sample.registry, sample.name, path="données/").items] == ["données/été.txt"]

    def test_recursive_lists_every_file_below(self, ops: QuiltOps, sample: Sample) -> None:
        everything = ops.browse(sample.registry, sample.name, recursive=True)
        assert [i.path for i in everything.items] == sorted(sample.files)
        assert {i.kind for i in everything.items} == {"file"}
        below = ops.browse(sample.registry, sample.name, path="data/", recursive=True)
        assert [i.path for i in below.items] == ["data/a.csv", "data/b.csv", "data/nested/deep/c.txt"]

    def test_pages_cover_one_level_exactly_once(self, ops: QuiltOps, sample: Sample) -> None:
        items = paged_items(lambda c: ops.browse(sample.registry, sample.name, cursor=c, limit=2), limit=2)
        assert [i.path for i in items] == ROOT

    def test_pages_cover_a_recursive_listing_exactly_once(self, ops: QuiltOps, sample: Sample) -> None:
        pages = all_pages(
            lambda c: ops.browse(sample.registry, sample.name, recursive=True, cursor=c, limit=3), limit=3
        )
        assert [i.path for page in pages for i in page.items] == sorted(sample.files)
        assert {page.top_hash for page in pages} == {sample.top_hash}

    def test_missing_directory_is_not_found(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.browse(sample.registry, sample.name, path="nope/")

    def test_a_file_is_not_a_directory(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.browse(sample.registry, sample.name, path="README.md")

    def test_missing_package_is_not_found(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.browse(sample.registry, "sample/missing")


class EntrySuite(SamplePackage):
    """``entry_info`` and ``read_entry``: what an entry is and its bytes, cut and offset as asked."""

    def test_entry_has_size_true_hash_and_metadata(self, ops: QuiltOps, sample: Sample) -> None:
        entry = ops.entry_info(sample.registry, sample.name, "data/a.csv")
        assert entry.logical_key == "data/a.csv"
        assert entry.size == len(sample.files["data/a.csv"])
        assert_hash_of(entry.hash, sample.files["data/a.csv"])
        assert entry.user_meta == ENTRY_META["data/a.csv"]

    def test_every_entry_hash_is_the_hash_of_its_bytes(self, ops: QuiltOps, sample: Sample) -> None:
        for key, data in sample.files.items():
            entry = ops.entry_info(sample.registry, sample.name, key)
            assert entry.size == len(data), key
            assert_hash_of(entry.hash, data)

    def test_inline_text_is_stored_in_the_registry(self, ops: QuiltOps, sample: Sample) -> None:
        entry = ops.entry_info(sample.registry, sample.name, "README.md")
        assert stored_in(entry.physical_key, sample.registry), entry.physical_key

    def test_s3_source_keeps_its_physical_key(self, ops: QuiltOps, sample: Sample) -> None:
        entry = ops.entry_info(sample.registry, sample.name, BINARY_KEY)
        assert entry.physical_key.startswith(f"s3://{sample.source_bucket}/raw/blob.bin")

    def test_entry_without_metadata_has_no_user_metadata(self, ops: QuiltOps, sample: Sample) -> None:
        assert ops.entry_info(sample.registry, sample.name, "README.md").user_meta == {}

    def test_missing_key_and_directory_are_not_entries(self, ops: QuiltOps, sample: Sample) -> None:
        for key in ("nope.txt", "data"):
            with refused(NotFoundError):
                ops.entry_info(sample.registry, sample.name, key)

    def test_reads_text_whole(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "data/b.csv")
        assert (result.encoding, result.content) == ("utf-8", TEXTS["data/b.csv"])
        assert (result.offset, result.length, result.total_size, result.truncated) == (0, 12, 12, False)
        assert result.source == "data/b.csv"

    def test_reads_unicode_text_from_a_unicode_key(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "données/été.txt", mode="text")
        assert result.content == TEXTS["données/été.txt"]
        assert result.length == result.total_size == len(sample.files["données/été.txt"])

    def test_reads_bytes_as_base64(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "data/a.csv", mode="bytes")
        assert result.encoding == "base64"
        assert base64.b64decode(result.content) == sample.files["data/a.csv"]

    def test_auto_mode_returns_binary_as_base64(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, BINARY_KEY)
        assert result.encoding == "base64"
        assert result.data() == BINARY and not result.truncated

    def test_text_mode_refuses_bytes_that_are_not_utf8(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(InvalidInputError):
            ops.read_entry(sample.registry, sample.name, BINARY_KEY, mode="text")

    def test_max_bytes_cuts_and_says_truncated(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "data/b.csv", max_bytes=3)
        assert (result.content, result.length, result.total_size, result.truncated) == ("x,y", 3, 12, True)

    def test_offset_reads_from_the_middle(self, ops: QuiltOps, sample: Sample) -> None:
        rest = ops.read_entry(sample.registry, sample.name, "data/b.csv", offset=4)
        assert (rest.content, rest.offset, rest.length, rest.truncated) == ("3,4\n5,6\n", 4, 8, False)
        window = ops.read_entry(sample.registry, sample.name, "data/b.csv", offset=4, max_bytes=3, mode="bytes")
        assert (window.data(), window.offset, window.truncated) == (b"3,4", 4, True)

    def test_paging_through_text_by_length_loses_nothing_and_breaks_no_character(
        self, ops: QuiltOps, sample: Sample
    ) -> None:
        """A cut inside a multi-byte character returns only complete characters;
        the next read starts at ``offset + length``."""
        key, parts, offset = "données/été.txt", [], 0
        while True:
            part = ops.read_entry(sample.registry, sample.name, key, offset=offset, max_bytes=5, mode="text")
            assert part.offset == offset and 0 < part.length <= 5
            parts.append(part.content)
            offset += part.length
            if not part.truncated:
                break
        assert "".join(parts) == TEXTS[key]
        assert offset == len(sample.files[key])

    @pytest.mark.parametrize("key", ODD_KEYS)
    def test_keys_with_spaces_and_url_characters_read_back(self, ops: QuiltOps, sample: Sample, key: str) -> None:
        assert ops.read_entry(sample.registry, sample.name, key).content == TEXTS[key]
        assert ops.entry_info(sample.registry, sample.name, key).size == len(sample.files[key])

    def test_empty_file_reads_as_empty_text(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "empty.txt")
        assert (result.content, result.length, result.total_size, result.truncated) == ("", 0, 0, False)
        assert result.encoding == "utf-8"

    def test_reads_a_revision_named_by_hash_prefix(self, ops: QuiltOps, sample: Sample) -> None:
        result = ops.read_entry(sample.registry, sample.name, "README.md", sample.top_hash[:10])
        assert result.content == TEXTS["README.md"]

    def test_missing_entry_cannot_be_read(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.read_entry(sample.registry, sample.name, "nope.txt")
        with refused(NotFoundError):
            ops.read_entry(sample.registry, "sample/missing", "README.md")


@pytest.mark.requires("presign")
class EntryUrlSuite(SamplePackage):
    """``entry_url``: a URL that fetches the entry's exact bytes with no credentials."""

    @pytest.mark.parametrize("key", ["data/a.csv", "données/été.txt", BINARY_KEY, "empty.txt", *ODD_KEYS])
    def test_url_fetches_the_entry_bytes(self, ops: QuiltOps, sample: Sample, key: str) -> None:
        presigned = ops.entry_url(sample.registry, sample.name, key, expires_in=600)
        assert fetch(presigned.url) == sample.files[key]

    def test_expiry_is_reported_for_expiring_urls(self, ops: QuiltOps, sample: Sample) -> None:
        """An http(s) URL expires when asked; a ``file://`` URL never does (``expires_in`` None)."""
        presigned = ops.entry_url(sample.registry, sample.name, "README.md", expires_in=600)
        if urlsplit(presigned.url).scheme == "file":
            assert presigned.expires_in is None
        else:
            assert presigned.expires_in == 600

    def test_missing_entry_has_no_url(self, ops: QuiltOps, sample: Sample) -> None:
        with refused(NotFoundError):
            ops.entry_url(sample.registry, sample.name, "nope.txt")
