"""Creating and updating revisions: sources, metadata, conflicts and input validation.

Every write is checked by reading it back through the same backend, so the
suite proves that what a backend writes and what it reads agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from quilt_mcp.errors import ConflictError, InvalidInputError, NotFoundError
from quilt_mcp.models import EntrySource
from quilt_mcp.ops import QuiltOps
from quilt_mcp.uris import parse_s3_uri
from quilt_mcp_conformance.gates import S3_REGISTRIES
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.support import (
    History,
    assert_hash_of,
    assert_names_hashes,
    package_names,
    push_chain,
    put_objects,
    refused,
    revision_hashes,
    stored_in,
    texts,
)


def keys(ops: QuiltOps, registry: str, name: str, ref: str = "latest") -> list[str]:
    """Every logical key of a revision, sorted."""
    return [item.path for item in ops.browse(registry, name, ref, recursive=True, limit=1000).items]


def read(ops: QuiltOps, registry: str, name: str, key: str, ref: str = "latest") -> bytes:
    """The whole content of an entry."""
    result = ops.read_entry(registry, name, key, ref, mode="bytes")
    assert not result.truncated
    return result.data()


@pytest.mark.requires("read", "write")
class CreateRevisionSuite:
    """``create_revision``: S3 objects, S3 prefixes, inline text and local files become exactly the entries."""

    def test_s3_object_is_referenced_at_the_version_it_had(
        self, ops: QuiltOps, registry: str, source_bucket: str, s3: Any
    ) -> None:
        """Without ``copy`` the entry points at the source object; overwriting it later does not change the package."""
        put_objects(s3, source_bucket, {"raw/table.csv": b"id,value\n1,10\n"})
        meta = {"origin": {"instrument": "X-1", "runs": [1, 2]}}
        source = EntrySource(logical_key="table.csv", source=f"s3://{source_bucket}/raw/table.csv", meta=meta)
        ops.create_revision(registry, "create/s3-object", [source])
        put_objects(s3, source_bucket, {"raw/table.csv": b"overwritten"})

        entry = ops.entry_info(registry, "create/s3-object", "table.csv")
        where = parse_s3_uri(entry.physical_key)
        assert (where.bucket, where.key) == (source_bucket, "raw/table.csv")
        assert entry.user_meta == meta
        assert_hash_of(entry.hash, b"id,value\n1,10\n")
        assert read(ops, registry, "create/s3-object", "table.csv") == b"id,value\n1,10\n"

    def test_copy_stores_the_source_bytes_in_the_registry(
        self, ops: QuiltOps, registry: str, source_bucket: str, s3: Any
    ) -> None:
        put_objects(s3, source_bucket, {"raw/copied.bin": b"\x00copy me\xff"})
        source = EntrySource(logical_key="copied.bin", source=f"s3://{source_bucket}/raw/copied.bin")
        ops.create_revision(registry, "create/copied", [source], copy=True)
        entry = ops.entry_info(registry, "create/copied", "copied.bin")
        assert stored_in(entry.physical_key, registry), entry.physical_key
        assert read(ops, registry, "create/copied", "copied.bin") == b"\x00copy me\xff"

    def test_s3_prefix_becomes_a_directory(self, ops: QuiltOps, registry: str, source_bucket: str, s3: Any) -> None:
        """Every object below ``s3://bucket/run1/`` lands below ``run/``; a sibling ``run10/`` does not."""
        put_objects(
            s3, source_bucket, {"run1/a.txt": b"a", "run1/sub/b.txt": b"bb", "run10/other.txt": b"no", "top.txt": b"no"}
        )
        source = EntrySource(logical_key="run/", source=f"s3://{source_bucket}/run1/")
        pushed = ops.create_revision(registry, "create/prefix", [source])
        assert keys(ops, registry, "create/prefix") == ["run/a.txt", "run/sub/b.txt"]
        assert read(ops, registry, "create/prefix", "run/sub/b.txt") == b"bb"
        assert (pushed.entry_count, pushed.total_bytes) == (2, 3)

    @pytest.mark.requires("buckets")
    def test_s3_prefix_without_a_trailing_slash_becomes_a_directory(
        self, ops: QuiltOps, registry: str, source_bucket: str, s3: Any
    ) -> None:
        """``s3://bucket/raw`` with objects below ``raw/`` (and no object ``raw``) is read as ``s3://bucket/raw/``."""
        put_objects(s3, source_bucket, {"raw/a.txt": b"a", "raw/sub/b.txt": b"bb", "rawer/no.txt": b"no"})
        source = EntrySource(logical_key="run", source=f"s3://{source_bucket}/raw")
        base = ops.create_revision(registry, "create/bare-prefix", [source]).top_hash
        assert keys(ops, registry, "create/bare-prefix") == ["run/a.txt", "run/sub/b.txt"]

        again = EntrySource(logical_key="again", source=f"s3://{source_bucket}/raw")
        ops.update_revision(registry, "create/bare-prefix", base_ref=base, add=[again])
        assert keys(ops, registry, "create/bare-prefix") == ["again/a.txt", "again/sub/b.txt", "run/a.txt", "run/sub/b.txt"]
        assert read(ops, registry, "create/bare-prefix", "again/sub/b.txt") == b"bb"

    def test_progress_reports_never_go_backwards_or_past_the_total(self, ops: QuiltOps, registry: str) -> None:
        """Reporting progress is optional; when a backend reports, ``done`` only grows and stays within ``total``."""
        calls: list[tuple[float, float | None, str]] = []
        files = {f"part-{n}.txt": str(n) * (n + 1) for n in range(5)}
        ops.create_revision(registry, "create/progress", texts(files), progress=lambda *call: calls.append(call))
        done = [d for d, _, _ in calls]
        assert done == sorted(done)
        for d, total, message in calls:
            assert isinstance(message, str) and d >= 0
            assert total is None or d <= total
        assert keys(ops, registry, "create/progress") == sorted(files)

    def test_new_revision_holds_exactly_the_given_entries(self, ops: QuiltOps, registry: str) -> None:
        first = ops.create_revision(registry, "create/exact", texts({"a.txt": "a", "b.txt": "b"}))
        second = ops.create_revision(registry, "create/exact", texts({"c.txt": "c"}), base_hash=first.top_hash)
        assert keys(ops, registry, "create/exact") == ["c.txt"]
        assert keys(ops, registry, "create/exact", first.top_hash) == ["a.txt", "b.txt"]
        assert second.previous_hash == first.top_hash

    def test_message_and_nested_metadata_round_trip(self, ops: QuiltOps, registry: str) -> None:
        user_meta = {"owner": {"team": "core", "members": ["ann", "bo"]}, "version": 2, "draft": False, "note": None}
        ops.create_revision(registry, "create/meta", texts({"a.txt": "a"}), message="with meta", user_meta=user_meta)
        info = ops.package_info(registry, "create/meta")
        assert (info.message, info.user_meta) == ("with meta", user_meta)

    def test_missing_s3_object_is_not_found_and_nothing_is_pushed(
        self, ops: QuiltOps, registry: str, source_bucket: str
    ) -> None:
        entries = [
            *texts({"ok.txt": "ok"}),
            EntrySource(logical_key="gone.txt", source=f"s3://{source_bucket}/gone.txt"),
        ]
        with refused(NotFoundError):
            ops.create_revision(registry, "create/missing-source", entries)
        assert package_names(ops, registry) == []

    def test_empty_s3_prefix_is_refused_and_nothing_is_pushed(
        self, ops: QuiltOps, registry: str, source_bucket: str
    ) -> None:
        """A prefix with no object below it is a mistake (not found or invalid), never an empty directory."""
        source = EntrySource(logical_key="nothing/", source=f"s3://{source_bucket}/nothing/")
        with refused(NotFoundError, InvalidInputError):
            ops.create_revision(registry, "create/empty-prefix", [*texts({"ok.txt": "ok"}), source])
        assert package_names(ops, registry) == []

    @pytest.mark.requires("local_registry")
    def test_local_files_and_directories_are_stored_in_a_local_registry(
        self, ops: QuiltOps, infra: Infrastructure
    ) -> None:
        """Local sources are copied into the registry: removing them afterwards does not break the package.

        The registry is given as a plain path when writing and as ``file://`` when reading.
        """
        source = infra.new_dir("local-source")
        (source / "one.txt").write_bytes(b"one")
        (source / "tree" / "sub").mkdir(parents=True)
        (source / "tree" / "f1.txt").write_bytes(b"f1")
        (source / "tree" / "sub" / "f2.bin").write_bytes(b"\x00\x01")
        local = infra.new_dir("local-registry")
        entries = [
            EntrySource(logical_key="one.txt", source=str(source / "one.txt")),
            EntrySource(logical_key="tree/", source=str(source / "tree")),
        ]
        ops.create_revision(str(local), "local/files", entries)
        for path in sorted(source.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()

        uri = local.as_uri()
        assert keys(ops, uri, "local/files") == ["one.txt", "tree/f1.txt", "tree/sub/f2.bin"]
        assert read(ops, uri, "local/files", "tree/sub/f2.bin") == b"\x00\x01"
        assert stored_in(ops.entry_info(uri, "local/files", "one.txt").physical_key, uri)

    @pytest.mark.requires_harness(S3_REGISTRIES)
    def test_local_path_is_not_a_source_for_an_s3_registry(
        self, ops: QuiltOps, registry: str, infra: Infrastructure
    ) -> None:
        """Local paths are valid sources only for local registries: InvalidInputError, nothing pushed."""
        path = infra.new_dir("local-source") / "file.txt"
        path.write_bytes(b"local")
        with refused(InvalidInputError):
            ops.create_revision(registry, "create/local-source", [EntrySource(logical_key="f.txt", source=str(path))])
        assert package_names(ops, registry) == []


BASE = {"a.txt": "a", "b.txt": "b", "dir/x.txt": "x", "dir/y.txt": "y", "dir/sub/z.txt": "z", "keep/k.txt": "k"}
BASE_META = {"a": 1, "b": {"x": 1}}


@dataclass(frozen=True)
class Base:
    registry: str
    name: str
    top_hash: str


class BasePackage:
    """Provides ``base``: a fresh package of ``BASE`` with ``BASE_META``, one revision, per test."""

    @pytest.fixture
    def base(self, ops: QuiltOps, registry: str) -> Base:
        pushed = ops.create_revision(registry, "update/pkg", texts(BASE), message="base", user_meta=BASE_META)
        return Base(registry, "update/pkg", pushed.top_hash)


@pytest.mark.requires("read", "write")
class UpdateRevisionSuite(BasePackage):
    """``update_revision``: add, replace and remove entries, merge or replace metadata, from a base revision."""

    def test_add_puts_a_new_entry_beside_the_others_carried_over_as_they_were(self, ops: QuiltOps, base: Base) -> None:
        """Untouched entries keep their physical keys, hashes and metadata; so does the package metadata."""
        kept = ops.entry_info(base.registry, base.name, "keep/k.txt")
        pushed = ops.update_revision(base.registry, base.name, add=texts({"new.txt": "new"}), message="added")
        assert keys(ops, base.registry, base.name) == sorted([*BASE, "new.txt"])
        assert read(ops, base.registry, base.name, "new.txt") == b"new"
        assert ops.entry_info(base.registry, base.name, "keep/k.txt") == kept
        assert pushed.previous_hash == base.top_hash
        info = ops.package_info(base.registry, base.name)
        assert (info.message, info.user_meta) == ("added", BASE_META)

    def test_add_replaces_an_existing_key(self, ops: QuiltOps, base: Base) -> None:
        pushed = ops.update_revision(base.registry, base.name, add=texts({"a.txt": "A, replaced"}))
        assert read(ops, base.registry, base.name, "a.txt") == b"A, replaced"
        assert read(ops, base.registry, base.name, "a.txt", base.top_hash) == b"a"
        assert pushed.entry_count == len(BASE)

    def test_remove_drops_a_key_and_everything_below_a_directory_prefix(self, ops: QuiltOps, base: Base) -> None:
        pushed = ops.update_revision(base.registry, base.name, remove=["b.txt", "dir/"])
        assert keys(ops, base.registry, base.name) == ["a.txt", "keep/k.txt"]
        assert (pushed.entry_count, pushed.total_bytes) == (2, 2)

    def test_removing_a_key_that_is_not_there_is_not_found(self, ops: QuiltOps, base: Base) -> None:
        """A remove that matches nothing is most likely a typo: NotFoundError, and nothing is pushed."""
        with refused(NotFoundError):
            ops.update_revision(base.registry, base.name, remove=["nope.txt"])
        assert revision_hashes(ops, base.registry, base.name) == [base.top_hash]

    def test_missing_source_in_an_update_changes_nothing(self, ops: QuiltOps, base: Base, source_bucket: str) -> None:
        gone = EntrySource(logical_key="gone.txt", source=f"s3://{source_bucket}/gone.txt")
        with refused(NotFoundError):
            ops.update_revision(base.registry, base.name, add=[*texts({"ok.txt": "ok"}), gone])
        assert revision_hashes(ops, base.registry, base.name) == [base.top_hash]

    def test_metadata_is_merged_by_top_level_key_or_replaced(self, ops: QuiltOps, base: Base) -> None:
        """``merge`` sets the given top-level keys and keeps the others (a shallow merge, like ``dict.update``);
        ``replace`` sets exactly what is given."""
        ops.update_revision(base.registry, base.name, user_meta={"a": 10, "c": 3})
        assert ops.package_info(base.registry, base.name).user_meta == {"a": 10, "b": {"x": 1}, "c": 3}
        ops.update_revision(base.registry, base.name, user_meta={"d": 4}, meta_mode="replace")
        assert ops.package_info(base.registry, base.name).user_meta == {"d": 4}

    def test_missing_package_cannot_be_updated(self, ops: QuiltOps, registry: str) -> None:
        with refused(NotFoundError):
            ops.update_revision(registry, "update/missing", add=texts({"a.txt": "a"}))
        assert package_names(ops, registry) == []


class Moved(History):
    """A package whose latest revision (``second``) is no longer ``first``."""

    @property
    def first(self) -> str:
        return self.hashes[0]

    @property
    def second(self) -> str:
        return self.hashes[1]


def push_two(ops: QuiltOps, registry: str) -> Moved:
    hashes = push_chain(ops, registry, "race/pkg", [{"v.txt": "1", "first.txt": "f"}, {"v.txt": "2"}])
    return Moved(registry, "race/pkg", hashes)


@pytest.mark.requires("read", "write")
class ConflictSuite:
    """Writers that lost a race get ``ConflictError`` naming both hashes, and nothing new becomes visible.

    The refusals share one package (each proves it changed nothing); the forced writes get their own.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def shared(cls, harness: BackendHarness, infra: Infrastructure) -> Moved:
        return push_two(harness.open(infra), harness.new_registry(infra))

    @pytest.fixture
    def moved(self, ops: QuiltOps, registry: str) -> Moved:
        return push_two(ops, registry)

    def test_create_on_a_stale_base_conflicts(self, ops: QuiltOps, shared: Moved) -> None:
        with refused(ConflictError) as caught:
            ops.create_revision(shared.registry, shared.name, texts({"v.txt": "3"}), base_hash=shared.first)
        assert_names_hashes(caught.value, shared.first, shared.second)
        assert shared.listed(ops) == [shared.second, shared.first]
        assert ops.resolve_revision(shared.registry, shared.name) == shared.second

    def test_create_without_base_on_an_existing_package_conflicts(self, ops: QuiltOps, shared: Moved) -> None:
        with refused(ConflictError) as caught:
            ops.create_revision(shared.registry, shared.name, texts({"v.txt": "3"}))
        assert_names_hashes(caught.value, shared.second)
        assert shared.listed(ops) == [shared.second, shared.first]

    def test_update_from_a_base_that_is_no_longer_latest_conflicts(self, ops: QuiltOps, shared: Moved) -> None:
        with refused(ConflictError) as caught:
            ops.update_revision(shared.registry, shared.name, base_ref=shared.first, add=texts({"n.txt": "n"}))
        assert_names_hashes(caught.value, shared.first, shared.second)
        assert shared.listed(ops) == [shared.second, shared.first]

    def test_force_pushes_over_a_stale_base(self, ops: QuiltOps, moved: Moved) -> None:
        pushed = ops.create_revision(
            moved.registry, moved.name, texts({"v.txt": "3"}), base_hash=moved.first, force=True
        )
        assert pushed.previous_hash == moved.second
        assert moved.listed(ops) == [pushed.top_hash, moved.second, moved.first]

    def test_forced_update_builds_on_the_named_base(self, ops: QuiltOps, moved: Moved) -> None:
        pushed = ops.update_revision(
            moved.registry, moved.name, base_ref=moved.first, add=texts({"n.txt": "n"}), force=True
        )
        assert keys(ops, moved.registry, moved.name) == ["first.txt", "n.txt", "v.txt"]
        assert read(ops, moved.registry, moved.name, "v.txt") == b"1"
        assert pushed.previous_hash == moved.second


@pytest.mark.requires("read", "write")
class ValidationSuite(BasePackage):
    """Bad input is refused with ``InvalidInputError`` before anything is written."""

    @pytest.mark.parametrize("name", ["noslash", "a/b/c", "has space/x", "/x", "x/", "", "ns/na.me"])
    def test_invalid_package_name_is_refused(self, ops: QuiltOps, registry: str, name: str) -> None:
        with refused(InvalidInputError):
            ops.create_revision(registry, name, texts({"a.txt": "a"}))
        with refused(InvalidInputError):
            ops.package_info(registry, name)
        assert package_names(ops, registry) == []

    @pytest.mark.parametrize("key", ["../up.txt", "a/../b.txt", "a//b.txt", "./a.txt", "/abs.txt", "", "dir/"])
    def test_invalid_logical_key_is_refused(self, ops: QuiltOps, registry: str, key: str) -> None:
        entries = [*texts({"ok.txt": "ok"}), EntrySource(logical_key=key, text="bad")]
        with refused(InvalidInputError):
            ops.create_revision(registry, "valid/name", entries)
        assert package_names(ops, registry) == []

    def test_invalid_key_in_an_update_changes_nothing(self, ops: QuiltOps, base: Base) -> None:
        with refused(InvalidInputError):
            ops.update_revision(base.registry, base.name, add=[EntrySource(logical_key="../x.txt", text="x")])
        assert revision_hashes(ops, base.registry, base.name) == [base.top_hash]

    @pytest.mark.parametrize(
        "source",
        [
            EntrySource(logical_key="both.txt", text="t", source="s3://some-bucket/key"),
            EntrySource(logical_key="neither.txt"),
            EntrySource(logical_key="web.txt", source="https://example.com/file.txt"),
        ],
        ids=["text-and-source", "neither", "not-s3-or-local"],
    )
    def test_entry_source_must_be_exactly_one_usable_thing(
        self, ops: QuiltOps, registry: str, source: EntrySource
    ) -> None:
        with refused(InvalidInputError):
            ops.create_revision(registry, "valid/name", [source])
        assert package_names(ops, registry) == []

    @pytest.mark.parametrize("bad", ["ftp://host/x", "s3://bucket/with/key", "s3://Bad_Bucket", ""])
    def test_malformed_registry_is_refused(self, ops: QuiltOps, bad: str) -> None:
        with refused(InvalidInputError):
            ops.list_packages(bad)
