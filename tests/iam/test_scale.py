"""Large packages: streaming, bounded memory, an immutable bounded cache.

Sizes here are kept small enough for CI; ``bench/`` measures 100,000 entries
and 5,000 packages side by side with quilt3; ``test_package_listing`` counts list calls.
"""

from __future__ import annotations

import json
import tracemalloc
from collections import defaultdict
from pathlib import Path

import pytest

from quilt_mcp_iam.cache import ManifestCache
from quilt_mcp_iam.manifest import Manifest, ManifestEntry, serialize
from quilt_mcp_iam.ops import IamOps


ENTRIES = 20_000


def big_entries(count: int, *, changed: frozenset[int] = frozenset(), dropped: frozenset[int] = frozenset()):
    for i in range(count):
        if i in dropped:
            continue
        size = (i * 7919) % 10_000 + (1 if i in changed else 0)
        yield ManifestEntry(
            logical_key=f"d{i % 40:02d}/s{i % 7}/file-{i:06d}.csv",
            physical_key=f"s3://big-data/raw/{i}.csv?versionId=v{i}",
            size=size,
            hash={"type": "sha2-256-chunked", "value": f"{i:044d}"},
            meta={"user_meta": {"i": i}} if i % 100 == 0 else {},
        )


def install(registry: Path, name: str, header: dict, entries) -> tuple[str, int]:
    """Write a manifest and its pointers straight into a local registry; return its hash and byte size."""
    ordered = sorted(entries, key=lambda e: e.logical_key.split("/"))
    written = serialize(header, (), ordered)
    packages = registry / ".quilt" / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    (packages / written.top_hash).write_bytes(written.data)
    pointers = registry / ".quilt" / "named_packages" / name
    pointers.mkdir(parents=True, exist_ok=True)
    stamp = 1_700_000_000 + len(list(pointers.iterdir()))
    (pointers / str(stamp)).write_text(written.top_hash)
    (pointers / "latest").write_text(written.top_hash)
    return written.top_hash, len(written.data)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str, int]:
    root = tmp_path_factory.mktemp("big-registry")
    old, size = install(root, "big/pkg", {"version": "v0", "message": "old"}, big_entries(ENTRIES))
    new, _ = install(
        root,
        "big/pkg",
        {"version": "v0", "message": "new", "user_meta": {"v": 2}},
        list(big_entries(ENTRIES, changed=frozenset({5, 6, 7}), dropped=frozenset({8})))
        + [ManifestEntry("zz/added.txt", "s3://big-data/added", 1, {"type": "SHA256", "value": "00"})],
    )
    return root.as_uri(), old, new, size


def test_first_read_holds_about_the_manifest_and_later_reads_hold_nothing(big: tuple[str, str, str, int]) -> None:
    registry, old, _, size = big
    ops = IamOps(lambda: None)
    tracemalloc.start()
    try:
        ops.browse(registry, "big/pkg", old, path="d07/s0/", limit=10)
        _, first_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        held, _ = tracemalloc.get_traced_memory()
        ops.browse(registry, "big/pkg", old, limit=10)
        last = ENTRIES - 1
        assert ops.entry_info(registry, "big/pkg", f"d{last % 40:02d}/s{last % 7}/file-{last:06d}.csv", old).size
        _, later_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first_peak < 2.5 * size, (first_peak, size)
    assert later_peak - held < 200_000, later_peak - held
    assert ops.cache.size_bytes < 1.3 * size


def test_browsing_a_big_package_is_exact(big: tuple[str, str, str, int]) -> None:
    registry, old, _, _ = big
    ops = IamOps(lambda: None)
    expected: dict[str, int] = defaultdict(int)
    for entry in big_entries(ENTRIES):
        expected[entry.logical_key.split("/")[0] + "/"] += entry.size
    root = ops.browse(registry, "big/pkg", old, limit=1000)
    assert {i.path: i.size for i in root.items} == expected
    assert root.next_cursor is None

    paths: list[str] = []
    cursor = None
    while True:
        page = ops.browse(registry, "big/pkg", old, path="d03/", recursive=True, cursor=cursor, limit=97)
        paths += [i.path for i in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert paths == sorted(e.logical_key for e in big_entries(ENTRIES) if e.logical_key.startswith("d03/"))
    info = ops.package_info(registry, "big/pkg", old)
    assert (info.entry_count, info.total_bytes) == (ENTRIES, sum(e.size for e in big_entries(ENTRIES)))


def test_diffing_big_revisions_counts_every_change(big: tuple[str, str, str, int]) -> None:
    registry, old, new, _ = big
    diff = IamOps(lambda: None).diff(registry, "big/pkg", old, new, limit=2)
    assert (diff.added_count, diff.removed_count, diff.changed_count) == (1, 1, 3)
    assert diff.added == ["zz/added.txt"] and diff.removed == ["d08/s1/file-000008.csv"]
    assert [c.logical_key for c in diff.changed] == ["d05/s5/file-000005.csv", "d06/s6/file-000006.csv"]
    assert diff.truncated and diff.user_meta_after == {"v": 2}


def test_manifest_cache_is_bounded_and_keeps_the_most_recently_used() -> None:
    blobs = {
        h: serialize(
            {"version": "v0", "message": h}, (), [ManifestEntry("k", "s3://b/k", 1, {"type": "x", "value": h})]
        ).data
        for h in ("a", "b", "c")
    }
    loads: list[str] = []

    def loader(h: str):
        def load() -> Manifest:
            loads.append(h)
            return Manifest.parse(blobs[h])

        return load

    one = Manifest.parse(blobs["a"]).nbytes
    cache = ManifestCache(max_bytes=2 * one + 10)
    for h in ("a", "b", "a", "c", "a", "b"):
        cache.get("reg", h, loader(h))
    assert loads == ["a", "b", "c", "b"]
    assert len(cache) == 2 and cache.size_bytes <= cache.max_bytes


def test_a_damaged_manifest_is_reported_not_crashed_on(ops: IamOps, local_registry: str) -> None:
    root = Path(local_registry.removeprefix("file://"))
    bad = "a" * 64
    (root / ".quilt" / "packages").mkdir(parents=True)
    (root / ".quilt" / "packages" / bad).write_text(json.dumps({"version": "v0"}) + "\n{not json\n")
    (root / ".quilt" / "named_packages" / "bad" / "pkg").mkdir(parents=True)
    (root / ".quilt" / "named_packages" / "bad" / "pkg" / "latest").write_text(bad)
    from quilt_mcp.errors import BackendUnavailableError

    with pytest.raises(BackendUnavailableError, match="damaged"):
        ops.browse(local_registry, "bad/pkg")
