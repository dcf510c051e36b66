"""Fixtures for ``iam_scale.py``: a big package, its second revision, and a registry of many packages.

Manifests are written directly as JSON lines in the registry layout of
DESIGN.md (``.quilt/packages/<top hash>`` and pointer files under
``.quilt/named_packages/<ns>/<name>/``), with top hashes computed exactly as
quilt3 does, so quilt3 and the iam backend both accept them. Physical keys
point at objects that need not exist: browse, entry info, diff and listing
never fetch entry bytes.

The same bytes go to an S3 registry (a bucket on the moto server, written
with concurrent puts) and to a local-directory registry.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quilt_mcp_conformance.suite.support import top_hash_of

FILES_PER_DIR = 1000
PACKAGE_NAMESPACES = 50
BIG_NAME = "bench/big"
HISTORY_NAME = "bench/history"
BASE_TIME = 1_700_000_000

def manifest_bytes(header: Mapping[str, Any], entries: list[dict[str, Any]]) -> tuple[str, bytes]:
    """``(top hash, JSONL bytes)`` of a manifest; entries are written in top-hash order."""
    ordered = sorted(entries, key=lambda e: e["logical_key"].split("/"))
    lines = [json.dumps(header)] + [json.dumps(entry) for entry in ordered]
    return top_hash_of([header, *ordered]), ("\n".join(lines) + "\n").encode()


def _entry(logical_key: str, seed: str, data_bucket: str) -> dict[str, Any]:
    digest = hashlib.sha256(seed.encode()).digest()
    meta: dict[str, Any] = {"user_meta": {"seed": seed}} if digest[0] < 26 else {}
    return {
        "logical_key": logical_key,
        "physical_keys": [f"s3://{data_bucket}/{logical_key}?versionId={digest.hex()[:32]}"],
        "size": 1 + int.from_bytes(digest[:3], "big"),
        "hash": {"type": "sha2-256-chunked", "value": base64.b64encode(digest).decode()},
        "meta": meta,
    }


def _data_key(i: int) -> str:
    return f"data/part-{i // FILES_PER_DIR:03d}/sample-{i:06d}.csv"


@dataclass(frozen=True)
class BigPackage:
    """The two revisions of the big package and the keys the benchmarks look at."""

    entries: int
    before: str
    after: str
    before_manifest: bytes = field(repr=False)
    after_manifest: bytes = field(repr=False)
    nested_dir: str
    lookup_key: str
    added: int
    removed: int
    changed: int


def big_package(entries: int, changes: int = 100, data_bucket: str = "bench-data") -> BigPackage:
    """A package of ``entries`` entries (``README.md``, ``meta.json`` and ``data/part-NNN/`` dirs of
    1000 files) and a second revision with ``changes`` entries added, removed and changed each."""
    count = entries - 2
    first = [_entry("README.md", "readme", data_bucket), _entry("meta.json", "meta", data_bucket)]
    first += [_entry(_data_key(i), str(i), data_bucket) for i in range(count)]
    step = count // (2 * changes)
    if step < 2:
        raise ValueError(f"{changes} changes need at least {4 * changes + 2} entries")
    removed = set(range(0, step * changes, step))
    changed = set(range(step // 2, step * changes, step))
    second = [
        _entry(e["logical_key"], f"{i}-v2", data_bucket) if i in changed else e
        for i, e in enumerate(first, start=-2)
        if i not in removed
    ]
    second += [_entry(f"data/extra/added-{j:04d}.csv", f"added-{j}", data_bucket) for j in range(changes)]
    before, before_bytes = manifest_bytes({"version": "v0", "message": "first revision"}, first)
    after, after_bytes = manifest_bytes(
        {"version": "v0", "message": "second revision", "user_meta": {"revision": 2}}, second
    )
    middle = count // 2 + (count // 2 in removed)
    return BigPackage(
        entries=entries,
        before=before,
        after=after,
        before_manifest=before_bytes,
        after_manifest=after_bytes,
        nested_dir=f"data/part-{middle // FILES_PER_DIR:03d}/",
        lookup_key=_data_key(middle),
        added=changes,
        removed=changes,
        changed=changes,
    )


def tiny_manifest(message: str) -> tuple[str, bytes]:
    """A one-entry manifest shared by the many small packages."""
    return manifest_bytes({"version": "v0", "message": message}, [_entry("hello.txt", message, "bench-data")])


def package_names(count: int) -> list[str]:
    """``count`` package names spread over ``PACKAGE_NAMESPACES`` namespaces, sorted."""
    return sorted(f"team-{i % PACKAGE_NAMESPACES:02d}/dataset-{i:05d}" for i in range(count))


def pointer_objects(name: str, hashes: Iterable[str], *, start: int = BASE_TIME) -> Iterator[tuple[str, bytes]]:
    """Timestamp pointers (one a minute from ``start``) for ``hashes`` in order, then ``latest``."""
    last = None
    for n, value in enumerate(hashes):
        last = value
        yield f".quilt/named_packages/{name}/{start + 60 * n}", value.encode()
    if last is not None:
        yield f".quilt/named_packages/{name}/latest", last.encode()


def manifest_object(top: str, data: bytes) -> tuple[str, bytes]:
    """The registry key and bytes of one manifest."""
    return f".quilt/packages/{top}", data


class Store:
    """Where fixture objects are written: an S3 bucket or a local directory."""

    registry: str

    def put_many(self, objects: Iterable[tuple[str, bytes]]) -> int:
        """Write every ``(key, bytes)``; return how many were written."""
        raise NotImplementedError


class DirStore(Store):
    """A local-directory registry at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.registry = root.as_uri()

    def put_many(self, objects: Iterable[tuple[str, bytes]]) -> int:
        count = 0
        for key, data in objects:
            path = self.root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count += 1
        return count


class S3Store(Store):
    """A bucket on the S3 endpoint, created if missing, written with ``workers`` concurrent puts."""

    def __init__(self, endpoint: str, bucket: str, *, workers: int = 16) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.registry = f"s3://{bucket}"
        self.workers = workers
        config = Config(
            max_pool_connections=workers, retries={"max_attempts": 5}, request_checksum_calculation="when_required"
        )
        self.client = boto3.client("s3", endpoint_url=endpoint, config=config)
        self.client.create_bucket(Bucket=bucket)
        self.client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    def put_many(self, objects: Iterable[tuple[str, bytes]]) -> int:
        def put(item: tuple[str, bytes]) -> None:
            self.client.put_object(Bucket=self.bucket, Key=item[0], Body=item[1])

        with ThreadPoolExecutor(self.workers) as pool:
            return sum(1 for _ in pool.map(put, objects))


def write_big_registry(store: Store, big: BigPackage, history_revisions: int) -> int:
    """The big package's two revisions and a package with ``history_revisions`` revisions."""
    history_hash, history_bytes = tiny_manifest("history")
    objects = [
        manifest_object(big.before, big.before_manifest),
        manifest_object(big.after, big.after_manifest),
        manifest_object(history_hash, history_bytes),
        *pointer_objects(BIG_NAME, [big.before, big.after]),
        *pointer_objects(HISTORY_NAME, [history_hash] * history_revisions),
    ]
    return store.put_many(objects)


def write_many_registry(store: Store, packages: int) -> int:
    """``packages`` packages with one revision each, all pointing at one tiny manifest."""
    shared_hash, shared_bytes = tiny_manifest("shared")

    def objects() -> Iterator[tuple[str, bytes]]:
        yield manifest_object(shared_hash, shared_bytes)
        for n, name in enumerate(package_names(packages)):
            yield from pointer_objects(name, [shared_hash], start=BASE_TIME + n)

    return store.put_many(objects())


def write_prime_registry(store: Store) -> int:
    """One tiny package, for the backends to make their S3 clients on before anything is measured."""
    prime_hash, prime_bytes = tiny_manifest("prime")
    return store.put_many([manifest_object(prime_hash, prime_bytes), *pointer_objects("bench/prime", [prime_hash])])
