"""Package work through the real quilt3 against the (moto) S3 the catalog serves.

Manifests are read with ``quilt3.Package.browse`` and written with
``quilt3.Package.push``; revisions are deleted with ``quilt3.delete_package``.
So what the catalog writes is byte for byte what quilt3 writes. Pointer
*listings* (which packages and revisions exist, and when) are one S3 listing
of ``.quilt/named_packages/`` per call, so a page of 1,000 packages costs one
listing rather than one request per package.

Every method blocks; the GraphQL layer calls them in worker threads.
Manifests are immutable per top hash and cached in memory (bounded; quilt3's
own disk cache is off, as it races under threads); pointer files are
immutable per timestamp and cached by name.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import quilt3
from quilt3.util import PhysicalKey

POINTERS = ".quilt/named_packages/"
LATEST = "latest"
_CACHE_SIZE = 512


@dataclass(frozen=True)
class Pointer:
    """One revision pointer: its timestamp (unix seconds) and the top hash it holds."""

    timestamp: int
    hash: str

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)


@dataclass(frozen=True)
class EntrySpec:
    """One entry to construct: an S3 physical key, and optionally size, hash and full entry meta."""

    logical_key: str
    physical_key: str
    size: int | None = None
    hash: Mapping[str, str] | None = None
    meta: Mapping[str, Any] | None = None


class Registry:
    """Reads and writes Quilt packages in any bucket of one S3 endpoint."""

    def __init__(self) -> None:
        self._s3 = boto3.client("s3")
        # quilt3 builds fresh S3 clients for every push and browse (each loading botocore's service JSON,
        # ~0.5 s); the catalog's one set of credentials never changes, so one shared client per kind serves.
        clients: dict[str, Any] = {}

        def shared_client(build: Any, session: Any, client_kwargs: dict[str, Any], **_: Any) -> Any:
            kind = "unsigned" if getattr(client_kwargs.get("config"), "signature_version", None) else "signed"
            with self._lock:
                if kind not in clients:
                    clients[kind] = build(session, client_kwargs)
                return clients[kind]

        quilt3.hooks.set_build_s3_client_hook(shared_client)
        # quilt3's browse caches a manifest in one directory shared by every thread (and by every process of
        # the same HOME), downloading to ``<name>.tmp`` and renaming it: two first reads of one manifest at once
        # collide on that file (FileNotFoundError). Loaded manifests are kept in memory here, so quilt3's disk
        # cache is off: each browse downloads to a temporary file of its own.
        quilt3.util.IS_CACHE_ENABLED = False
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pushed_at: dict[tuple[str, str], int] = {}
        self._manifests: OrderedDict[tuple[str, str], quilt3.Package] = OrderedDict()
        self._pointer_hashes: dict[tuple[str, str, int], str] = {}

    # listings --------------------------------------------------------------

    def timestamps(self, bucket: str, name: str | None = None) -> dict[str, list[int]]:
        """Package name -> its revision timestamps, newest first (one listing; ``name`` narrows it)."""
        prefix = POINTERS + (f"{name}/" if name else "")
        found: dict[str, list[int]] = defaultdict(list)
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", ()):
                parts = obj["Key"][len(POINTERS) :].split("/")
                if len(parts) == 3 and parts[2].isdigit():
                    found[f"{parts[0]}/{parts[1]}"].append(int(parts[2]))
        return {pkg: sorted(stamps, reverse=True) for pkg, stamps in found.items()}

    def pointer(self, bucket: str, name: str, timestamp: int) -> Pointer:
        """The pointer ``timestamp`` of package ``name`` (its hash read once, then cached)."""
        key = (bucket, name, timestamp)
        with self._lock:
            cached = self._pointer_hashes.get(key)
        if cached is None:
            cached = self._read(bucket, f"{POINTERS}{name}/{timestamp}")
            with self._lock:
                self._pointer_hashes[key] = cached
        return Pointer(timestamp, cached)

    def pointers(self, bucket: str, name: str) -> list[Pointer]:
        """Every revision pointer of ``name``, newest first; empty for an unknown package."""
        stamps = self.timestamps(bucket, name).get(name, [])
        return [self.pointer(bucket, name, stamp) for stamp in stamps]

    def latest_hash(self, bucket: str, name: str) -> str | None:
        """The top hash ``latest`` holds, or None when the package has no ``latest``."""
        try:
            return self._read(bucket, f"{POINTERS}{name}/{LATEST}")
        except self._s3.exceptions.NoSuchKey:
            return None

    def resolve(self, bucket: str, name: str, hash_or_tag: str) -> Pointer | None:
        """The revision ``hash_or_tag`` names: ``latest``, a timestamp, a top hash or a unique prefix (>= 6).

        None when the package has no such revision. A hash found only through
        ``latest`` (no timestamp pointer) is dated by the newest pointer.
        """
        pointers = self.pointers(bucket, name)
        if hash_or_tag == LATEST:
            top = self.latest_hash(bucket, name)
            if top is None:
                return None
            return next((p for p in pointers if p.hash == top), Pointer(pointers[0].timestamp if pointers else 0, top))
        if hash_or_tag.isdigit() and len(hash_or_tag) < 16:
            return next((p for p in pointers if p.timestamp == int(hash_or_tag)), None)
        if len(hash_or_tag) < 6:
            return None
        matches = {p.hash for p in pointers if p.hash.startswith(hash_or_tag.lower())}
        if len(matches) != 1:
            return None
        top = matches.pop()
        return next(p for p in pointers if p.hash == top)

    # manifests -------------------------------------------------------------

    def browse(self, bucket: str, name: str, top_hash: str) -> quilt3.Package:
        """The package revision ``top_hash``, read with ``quilt3.Package.browse`` (cached)."""
        key = (bucket, top_hash)
        with self._lock:
            pkg = self._manifests.get(key)
            if pkg is not None:
                self._manifests.move_to_end(key)
                return pkg
        pkg = quilt3.Package.browse(name, registry=f"s3://{bucket}", top_hash=top_hash)
        with self._lock:
            self._manifests[key] = pkg
            while len(self._manifests) > _CACHE_SIZE:
                self._manifests.popitem(last=False)
        return pkg

    # writes ----------------------------------------------------------------

    def construct(
        self,
        bucket: str,
        name: str,
        entries: Iterable[EntrySpec],
        *,
        message: str | None,
        user_meta: Mapping[str, Any] | None,
        workflow: Any,
    ) -> str:
        """Push a package of S3 references (objects stay in place) and return its top hash.

        An entry without ``size`` is set from its URL (quilt3 reads the size and
        pins the current version id); an entry without ``hash`` is hashed by
        quilt3's push, reading the object. ``workflow`` is quilt3's (``...`` =
        the registry's default). Raises quilt3's errors and botocore's as they come.
        """
        pkg = quilt3.Package()
        for spec in entries:
            if spec.size is None:
                pkg.set(spec.logical_key, spec.physical_key)
                entry = pkg[spec.logical_key]
                if spec.hash is not None:
                    entry.hash = dict(spec.hash)
            else:
                entry = quilt3.packages.PackageEntry(
                    PhysicalKey.from_url(spec.physical_key),
                    spec.size,
                    dict(spec.hash) if spec.hash is not None else None,
                    None,
                )
                pkg.set(spec.logical_key, entry)
            if spec.meta is not None:
                entry._meta = dict(spec.meta)
        if user_meta is not None:
            pkg.set_meta(dict(user_meta))
        with self._write_lock:
            # quilt3 names a revision's pointer by a second taken during the push: a push of the same
            # package starting in the second the last one ended could overwrite its pointer, so wait.
            while int(time.time()) <= self._pushed_at.get((bucket, name), -1):
                time.sleep(0.02)
            pushed = pkg.push(
                name,
                registry=f"s3://{bucket}",
                message=message,
                selector_fn=lambda _key, _entry: False,
                workflow=workflow,
                force=True,
            )
            self._pushed_at[(bucket, name)] = int(time.time())
        return pushed.top_hash

    def delete_revision(self, bucket: str, name: str, top_hash: str) -> None:
        """Delete every pointer of ``name`` holding ``top_hash`` with ``quilt3.delete_package`` (``latest`` moves back)."""
        with self._write_lock:
            quilt3.delete_package(name, registry=f"s3://{bucket}", top_hash=top_hash)

    def bucket_exists(self, bucket: str) -> bool:
        """Whether ``bucket`` exists on the endpoint."""
        try:
            self._s3.head_bucket(Bucket=bucket)
        except self._s3.exceptions.ClientError:
            return False
        return True

    def _read(self, bucket: str, key: str) -> str:
        return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().strip()
