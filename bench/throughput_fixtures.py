"""Fixtures of ``throughput.py``, written to buckets on the moto server.

- ``s3://bench-big``: the big package ``bench/big`` (``scale_fixtures.big_package``), listed in full;
- ``s3://bench-mid``: ``bench/mid``, a smaller package of the same shape plus ``blob.bin``, a real
  256 KiB object in ``s3://bench-data`` that ``entry_read`` reads 64 KiB of;
- ``<scratch>/local-mid``: the same ``bench/mid`` in a local-directory registry, its ``blob.bin`` a file
  inside the registry's directory;
- ``s3://bench-many``: a registry of many packages;
- ``s3://bench-src``: the objects ``package_create`` and quilt3's push put into a package (written with
  SHA256 checksums, as S3 does by default now); pushes go to ``s3://bench-write``;
- ``s3://bench-prime``: a tiny registry every process makes its S3 clients on before the clock starts.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from quilt_mcp_iam.hashing import HASH_TYPE, hash_bytes
from scale_fixtures import (
    DirStore,
    S3Store,
    big_package,
    manifest_bytes,
    manifest_object,
    pointer_objects,
    write_big_registry,
    write_many_registry,
    write_prime_registry,
)

BIG = "bench/big"
MID = "bench/mid"
BLOB_KEY = "blob.bin"
BLOB_BYTES = 256 * 1024


@dataclass(frozen=True)
class Fixtures:
    """Registries and keys the workloads use."""

    big: str
    mid: str
    mid_local: str
    many: str
    write: str
    prime: str
    big_entries: int
    mid_entries: int
    mid_dir: str
    sources: list[tuple[str, str]]
    """``(logical key, s3://bench-src/... URI)`` of every object a push puts into a package."""


BLOB = bytes(range(256)) * (BLOB_BYTES // 256)


def _mid_manifest(entries: int, blob_uri: str) -> tuple[str, bytes, str]:
    """``bench/mid``: a big-package-shaped revision plus ``blob.bin`` pointing at a real object
    (``blob_uri``); its top hash, bytes, and a directory of 1,000 files in it."""
    mid = big_package(entries - 1, changes=max(1, entries // 100))
    lines = [json.loads(line) for line in mid.after_manifest.splitlines()]
    blob_entry = {
        "logical_key": BLOB_KEY,
        "physical_keys": [blob_uri],
        "size": len(BLOB),
        "hash": {"type": HASH_TYPE, "value": hash_bytes(BLOB)},
        "meta": {},
    }
    return (*manifest_bytes(lines[0], [*lines[1:], blob_entry]), mid.nested_dir)


def build(
    endpoint: str, scratch: Path, *, entries: int, mid_entries: int, packages: int, objects: int
) -> Fixtures:
    """Write every fixture (the local registry below ``scratch``); returns where they are."""
    big = big_package(entries, changes=max(1, min(100, entries // 100)))
    write_big_registry(S3Store(endpoint, "bench-big"), big, 1)
    data = S3Store(endpoint, "bench-data")
    data.client.put_object(Bucket="bench-data", Key=BLOB_KEY, Body=BLOB)
    mid_top, mid_bytes, mid_dir = _mid_manifest(mid_entries, f"s3://bench-data/{BLOB_KEY}")
    S3Store(endpoint, "bench-mid").put_many([manifest_object(mid_top, mid_bytes), *pointer_objects(MID, [mid_top])])
    local = DirStore(scratch / "local-mid")
    local_top, local_bytes, _ = _mid_manifest(mid_entries, (local.root / "data" / BLOB_KEY).as_uri())
    local.put_many([(f"data/{BLOB_KEY}", BLOB), manifest_object(local_top, local_bytes), *pointer_objects(MID, [local_top])])
    write_many_registry(S3Store(endpoint, "bench-many"), packages)
    write_prime_registry(S3Store(endpoint, "bench-prime"))
    S3Store(endpoint, "bench-write")
    src = S3Store(endpoint, "bench-src")
    sources = [(f"obj-{i:05d}.bin", f"s3://bench-src/src/obj-{i:05d}.bin") for i in range(objects)]

    def put(item: tuple[str, str]) -> None:
        key = item[1].removeprefix("s3://bench-src/")
        src.client.put_object(Bucket="bench-src", Key=key, Body=os.urandom(1024), ChecksumAlgorithm="SHA256")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, sources))
    return Fixtures(
        big="s3://bench-big",
        mid="s3://bench-mid",
        mid_local=local.registry,
        many="s3://bench-many",
        write="s3://bench-write",
        prime="s3://bench-prime",
        big_entries=big.entries - big.removed + big.added,
        mid_entries=mid_entries,
        mid_dir=mid_dir,
        sources=sources,
    )
