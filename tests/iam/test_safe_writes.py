"""Safe writes: validation before any write, write order, conflicts, and failures at every step.

Storage failures and a writer racing between two of our writes cannot be
caused from outside, so these tests wrap the real storage classes and fail
(or race) at the Nth write; everything else is the real moto S3 or disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from quilt_mcp.errors import (
    BackendUnavailableError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from quilt_mcp.models import EntrySource
from quilt_mcp.uris import RegistryLocation as Location
from quilt_mcp.uris import parse_registry
from quilt_mcp_iam.local import LocalStorage
from quilt_mcp_iam.ops import IamOps
from quilt_mcp_iam.registry import NAMED, PACKAGES
from quilt_mcp_iam.s3 import S3Storage
from quilt_mcp_iam.storage import Storage, StoredObject

NAME = "safe/pkg"


class Injected(BackendUnavailableError):
    """The failure a test injects."""


class Hooks:
    """Counts registry writes and deletes, and runs ``on(n, action, key)`` before each."""

    def __init__(self, on: Callable[[int, str, str], None]) -> None:
        self.count = 0
        self.on = on
        self.log: list[tuple[str, str]] = []

    def __call__(self, action: str, key: str) -> None:
        self.count += 1
        self.log.append((action, key))
        self.on(self.count, action, key)


def fail_at(n: int) -> Callable[[int, str, str], None]:
    def on(count: int, action: str, key: str) -> None:
        if count == n:
            raise Injected(f"injected failure of {action} {key}")

    return on


class HookedLocal(LocalStorage):
    def __init__(self, root: Path, hooks: Hooks) -> None:
        super().__init__(root)
        self.hooks = hooks

    def write_stream(self, key: str, chunks: Iterable[bytes], **kw: Any) -> StoredObject:
        self.hooks("write", key)
        return super().write_stream(key, chunks, **kw)

    def delete(self, key: str, **kw: Any) -> None:
        self.hooks("delete", key)
        super().delete(key, **kw)


class HookedS3(S3Storage):
    def __init__(self, client: Any, bucket: str, hooks: Hooks) -> None:
        super().__init__(client, bucket)
        self.hooks = hooks

    def write(self, key: str, data: bytes, **kw: Any) -> StoredObject:
        self.hooks("write", key)
        return super().write(key, data, **kw)

    def copy_from(self, *args: Any) -> StoredObject:
        self.hooks("copy", args[-1])
        return super().copy_from(*args)

    def delete(self, key: str, **kw: Any) -> None:
        self.hooks("delete", key)
        super().delete(key, **kw)


class HookedOps(IamOps):
    """An ``IamOps`` whose registry storage runs ``hooks`` before every write and delete."""

    def __init__(self, s3_client: Any, hooks: Hooks) -> None:
        super().__init__(lambda: s3_client)
        self.hooks = hooks

    def _storage(self, location: Location) -> Storage:
        if location.is_local:
            return HookedLocal(location.path, self.hooks)  # type: ignore[arg-type]
        return HookedS3(self.s3_client, location.bucket, self.hooks)


def storage_of(ops: IamOps, registry: str) -> Storage:
    return IamOps._storage(ops, parse_registry(registry))


def pointers(ops: IamOps, registry: str) -> dict[str, str]:
    """Every pointer file of the registry and the hash it holds."""
    storage = storage_of(ops, registry)
    found = {}
    for page in storage.iter_all(NAMED):
        for obj in page.objects:
            found[obj.key[len(NAMED) :]] = storage.read(obj.key).decode()
    return found


def assert_no_dangling_pointer(ops: IamOps, registry: str) -> None:
    storage = storage_of(ops, registry)
    for pointer, top_hash in pointers(ops, registry).items():
        assert storage.exists(PACKAGES + top_hash), f"{pointer} points to a missing manifest {top_hash}"


def all_keys(ops: IamOps, registry: str) -> list[str]:
    storage = storage_of(ops, registry)
    return [obj.key for page in storage.iter_all("") for obj in page.objects]


def text(key: str, value: str) -> EntrySource:
    return EntrySource(logical_key=key, text=value)


@pytest.mark.parametrize(
    "entries",
    [
        [text("ok.txt", "fine"), text("bad/../escape.txt", "no")],
        [text("ok.txt", "fine"), text("ok.txt", "twice")],
        [text("dir", "a file"), text("dir/child.txt", "and a directory")],
        [text("ok.txt", "fine"), EntrySource(logical_key="gone.txt", source="s3://no-such-bucket-x1/gone.txt")],
        [text("ok.txt", "fine"), EntrySource(logical_key="both.txt", text="x", source="s3://b1x/k")],
    ],
    ids=["dot-dot", "duplicate", "file-and-directory", "missing-source", "two-sources"],
)
def test_bad_input_writes_nothing(ops: IamOps, registry: str, entries: list[EntrySource]) -> None:
    with pytest.raises((InvalidInputError, NotFoundError)):
        ops.create_revision(registry, NAME, entries)
    assert all_keys(ops, registry) == []


def test_bad_name_writes_nothing(ops: IamOps, registry: str) -> None:
    with pytest.raises(InvalidInputError):
        ops.create_revision(registry, "no-slash", [text("a.txt", "a")])
    assert all_keys(ops, registry) == []


def test_writes_go_data_manifest_latest_then_timestamp(s3_client: Any, registry: str) -> None:
    hooks = Hooks(lambda *_: None)
    pushed = HookedOps(s3_client, hooks).create_revision(registry, NAME, [text("a.txt", "a")])
    assert [(action, key.rsplit("/", 1)[-1] if key.startswith(NAMED) else key) for action, key in hooks.log] == [
        ("write", f"{NAME}/a.txt"),
        ("write", PACKAGES + pushed.top_hash),
        ("write", "latest"),
        ("write", str(int(pushed.timestamp.timestamp()))),
    ]


@pytest.mark.parametrize("step", [1, 2, 3])
def test_a_failure_before_latest_moves_leaves_the_package_as_it_was(
    ops: IamOps, s3_client: Any, registry: str, step: int
) -> None:
    base = ops.create_revision(registry, NAME, [text("a.txt", "a")], message="base")
    before = pointers(ops, registry)
    faulty = HookedOps(s3_client, Hooks(fail_at(step)))
    with pytest.raises(Injected):
        faulty.update_revision(registry, NAME, add=[text("b.txt", "b")], remove=["a.txt"])
    assert pointers(ops, registry) == before
    assert_no_dangling_pointer(ops, registry)
    assert ops.resolve_revision(registry, NAME) == base.top_hash
    retried = ops.update_revision(registry, NAME, add=[text("b.txt", "b")], remove=["a.txt"])
    assert ops.read_entry(registry, NAME, "b.txt").content == "b"
    assert retried.previous_hash == base.top_hash


@pytest.mark.parametrize("step", [1, 2])
def test_a_failure_while_deleting_the_latest_revision_never_leaves_revisions_without_latest(
    ops: IamOps, s3_client: Any, registry: str, step: int
) -> None:
    first = ops.create_revision(registry, NAME, [text("a.txt", "1")])
    second = ops.update_revision(registry, NAME, add=[text("a.txt", "2")])
    with pytest.raises(Injected):
        HookedOps(s3_client, Hooks(fail_at(step))).delete_revision(registry, NAME, second.top_hash)
    assert_no_dangling_pointer(ops, registry)
    # Step 1 re-points latest (it fails: nothing changed); step 2 drops the old pointer (latest already moved).
    assert ops.resolve_revision(registry, NAME) == (second.top_hash if step == 1 else first.top_hash)
    ops.delete_revision(registry, NAME, second.top_hash)
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [first.top_hash]


def test_a_crash_after_latest_moved_still_lists_the_new_revision_first(
    ops: IamOps, s3_client: Any, registry: str
) -> None:
    base = ops.create_revision(registry, NAME, [text("a.txt", "a")])
    with pytest.raises(Injected):  # the timestamp pointer is the 4th write
        HookedOps(s3_client, Hooks(fail_at(4))).update_revision(registry, NAME, add=[text("b.txt", "b")])
    latest = ops.resolve_revision(registry, NAME)
    assert latest != base.top_hash
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [latest, base.top_hash]
    assert_no_dangling_pointer(ops, registry)


def test_a_deletion_that_stopped_after_moving_latest_is_not_listed_above_latest(
    ops: IamOps, s3_client: Any, registry: str
) -> None:
    first = ops.create_revision(registry, NAME, [text("a.txt", "1")])
    second = ops.update_revision(registry, NAME, add=[text("a.txt", "2")])
    with pytest.raises(Injected):  # latest moves (1), then the old pointer would go (2)
        HookedOps(s3_client, Hooks(fail_at(2))).delete_revision(registry, NAME, second.top_hash)
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [first.top_hash]


def racing(ops: IamOps, registry: str, racer: list[str]) -> Callable[[int, str, str], None]:
    """Before our ``latest`` lands, another writer force-pushes a revision."""

    def on(count: int, action: str, key: str) -> None:
        if key.startswith(NAMED) and key.endswith("/latest") and not racer:
            racer.append(ops.create_revision(registry, NAME, [text("racer.txt", "r")], force=True).top_hash)

    return on


def test_latest_moved_between_check_and_write_is_a_conflict_naming_both_hashes(
    ops: IamOps, s3_client: Any, registry: str
) -> None:
    base = ops.create_revision(registry, NAME, [text("a.txt", "a")])
    racer: list[str] = []
    with pytest.raises(ConflictError) as caught:
        HookedOps(s3_client, Hooks(racing(ops, registry, racer))).update_revision(
            registry, NAME, add=[text("mine.txt", "m")]
        )
    assert base.top_hash in str(caught.value) and racer[0] in str(caught.value)
    assert ops.resolve_revision(registry, NAME) == racer[0]
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [racer[0], base.top_hash]
    assert_no_dangling_pointer(ops, registry)


def test_force_wins_over_a_racing_writer(ops: IamOps, s3_client: Any, registry: str) -> None:
    ops.create_revision(registry, NAME, [text("a.txt", "a")])
    racer: list[str] = []
    mine = HookedOps(s3_client, Hooks(racing(ops, registry, racer))).update_revision(
        registry, NAME, add=[text("mine.txt", "m")], force=True
    )
    assert ops.resolve_revision(registry, NAME) == mine.top_hash
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items][:2] == [mine.top_hash, racer[0]]


def test_quick_sequential_revisions_are_all_listed_with_pointers_never_ahead_of_the_clock(
    ops: IamOps, registry: str
) -> None:
    """Pointer names are unix seconds (as quilt3 writes them): more revisions than seconds are never
    refused, never named ahead of the clock, and never replace one another's pointer."""
    pushed = [ops.create_revision(registry, NAME, [text("a.txt", "0")])]
    pushed += [ops.update_revision(registry, NAME, add=[text("a.txt", str(i))]) for i in range(1, 3)]
    assert all(p.timestamp.timestamp() <= time.time() for p in pushed)
    revisions = ops.list_revisions(registry, NAME).items
    assert [r.top_hash for r in revisions] == [p.top_hash for p in reversed(pushed)]
    assert len({r.timestamp for r in revisions}) == 3


@pytest.mark.parametrize("rounds", [4])
def test_concurrent_writers_from_one_base_have_exactly_one_winner_per_round(
    ops: IamOps, registry: str, rounds: int
) -> None:
    ops.create_revision(registry, NAME, [text("a.txt", "base")])
    for round_ in range(rounds):
        base = ops.resolve_revision(registry, NAME)

        def write(i: int, base: str = base, round_: int = round_) -> str | None:
            try:
                return ops.update_revision(registry, NAME, base_ref=base, add=[text("a.txt", f"{round_}.{i}")]).top_hash
            except ConflictError:
                return None

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(write, range(8)))
        winners = [r for r in results if r is not None]
        assert len(winners) == 1, f"round {round_}: {len(winners)} winners"
        assert ops.resolve_revision(registry, NAME) == winners[0]
        assert ops.list_revisions(registry, NAME).items[0].top_hash == winners[0]
    assert_no_dangling_pointer(ops, registry)


def test_deleting_the_latest_revision_while_an_update_moves_latest_is_a_conflict(
    ops: IamOps, s3_client: Any, registry: str
) -> None:
    first = ops.create_revision(registry, NAME, [text("a.txt", "1")])
    second = ops.update_revision(registry, NAME, add=[text("a.txt", "2")])
    racer: list[str] = []

    def update_first(count: int, action: str, key: str) -> None:
        if key.endswith("/latest") and not racer:
            racer.append(ops.update_revision(registry, NAME, base_ref=second.top_hash, add=[text("b", "b")]).top_hash)

    with pytest.raises(ConflictError) as caught:
        HookedOps(s3_client, Hooks(update_first)).delete_revision(registry, NAME, second.top_hash)
    assert racer[0] in str(caught.value)
    assert ops.resolve_revision(registry, NAME) == racer[0]
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items][0] == racer[0]
    assert first.top_hash in {r.top_hash for r in ops.list_revisions(registry, NAME).items}


def test_a_planted_manifest_cannot_read_files_outside_a_local_registry(ops: IamOps, local_registry: str) -> None:
    pushed = ops.create_revision(local_registry, NAME, [text("a.txt", "inside")])
    storage = storage_of(ops, local_registry)
    lines = [json.loads(line) for line in storage.read(PACKAGES + pushed.top_hash).decode().splitlines()]
    for line in lines:
        if line.get("logical_key") == "a.txt":
            line["physical_keys"] = ["file:///etc/hostname"]
    storage.write(PACKAGES + pushed.top_hash, "\n".join(json.dumps(line) for line in lines).encode())
    with pytest.raises(PermissionDeniedError, match="outside the registry"):
        IamOps(lambda: None).read_entry(local_registry, NAME, "a.txt", pushed.top_hash)
