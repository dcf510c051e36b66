"""Turning ``EntrySource`` items into manifest entries, in two phases.

``plan`` only reads: it validates every logical key, lists prefixes and
directories and checks sources exist, so bad input fails before anything is
written. ``materialize`` then stores inline text and copies (and hashes what
S3 cannot vouch for), giving ``ManifestEntry`` objects.

Where bytes land:

- S3 registry: inline text and copies go to ``s3://<bucket>/<name>/<logical key>``
  (quilt3's default push destination) and are pinned by ``versionId``.
- Local registry: to ``<registry>/<name>/<logical key>``; if that file holds
  other bytes (an earlier revision's), to
  ``<registry>/.quilt/data/<hash prefix>/<name>/<logical key>`` instead, so no
  earlier revision's entry ever changes under it.
- S3 sources keep their physical key (with ``versionId``) unless ``copy``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from quilt_mcp.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from quilt_mcp.models import EntrySource
from quilt_mcp.names import validate_logical_key
from quilt_mcp.ops import Progress
from quilt_mcp.uris import local_path, parse_s3_uri
from quilt_mcp_iam.hashing import HASH_TYPE, from_s3_checksum, hash_bytes, hash_chunks
from quilt_mcp_iam.local import LocalStorage
from quilt_mcp_iam.manifest import ManifestEntry, check_sequence, sort_key
from quilt_mcp_iam.registry import parallel_map
from quilt_mcp_iam.s3 import S3Storage, s3_physical_key
from quilt_mcp_iam.storage import ObjectMeta, Storage

PARALLEL_HASHES = 8
LOCAL_DATA = ".quilt/data"


@dataclass(frozen=True)
class Planned:
    """One entry to create: its key, meta, and exactly one of text, an S3 object, or a local file."""

    logical_key: str
    meta: dict | None
    text: bytes | None = None
    s3: tuple[S3Storage, ObjectMeta] | None = None
    local: Path | None = None

    @property
    def size(self) -> int:
        if self.text is not None:
            return len(self.text)
        if self.s3 is not None:
            return self.s3[1].size
        assert self.local is not None
        return self.local.stat().st_size


def _join(prefix: str, rest: str) -> str:
    return f"{prefix.rstrip('/')}/{rest}" if prefix.strip("/") else rest


def _entry_meta(meta: dict | None) -> dict:
    return {"user_meta": meta} if meta is not None else {}


class SourcePlanner:
    """Validates and expands sources for a push of ``name`` into ``registry``."""

    def __init__(self, s3_storage: Callable[[str], S3Storage]) -> None:
        self._s3 = s3_storage

    def plan(self, sources: Sequence[EntrySource]) -> list[Planned]:
        """Every entry the (pipeline-checked) sources stand for, in walk order. Reads only.

        S3 sources are looked at (HEAD or listing) up to ``PARALLEL_READS`` at a time;
        the first failing source, in the given order, is the error raised.
        """
        remote = any(src.text is None and (src.source or "").startswith("s3://") for src in sources)
        planned = [item for found in parallel_map(self._plan_one, sources, remote=remote) for item in found]
        planned.sort(key=lambda p: sort_key(p.logical_key))
        for before, after in zip(planned, planned[1:], strict=False):
            check_sequence(before.logical_key, after.logical_key)
        return planned

    def _plan_one(self, src: EntrySource) -> list[Planned]:
        if src.text is not None:
            return [Planned(src.logical_key, src.meta, text=src.text.encode("utf-8"))]
        if (src.source or "").startswith("s3://"):
            return self._plan_s3(src)
        return self._plan_local(src)

    def _plan_s3(self, src: EntrySource) -> list[Planned]:
        uri = parse_s3_uri(src.source or "")
        storage = self._s3(uri.bucket)
        if not uri.key or uri.key.endswith("/"):
            try:
                objects = list(storage.iter_latest_versions(uri.key))
            except PermissionDeniedError:
                # No s3:ListBucketVersions: list current objects; a HEAD pins each one's version later.
                listed = (obj for page in storage.iter_all(uri.key) for obj in page.objects)
                objects = [replace(obj, checksum_known=False) for obj in listed]
            found = [
                Planned(_join(src.logical_key, obj.key[len(uri.key) :]), src.meta, s3=(storage, obj))
                for obj in objects
                if not obj.key.endswith("/")
            ]
            if not found:
                raise NotFoundError(f"No objects below {src.source}.", "Check the bucket and prefix.")
            for item in found:
                self._check_derived_key(item.logical_key, src.source or "")
            return found
        head = storage.head(uri.key, version_id=uri.version_id)
        return [Planned(src.logical_key, src.meta, s3=(storage, head))]

    def _plan_local(self, src: EntrySource) -> list[Planned]:
        path = local_path(src.source or "")
        if path.is_file():
            return [Planned(src.logical_key, src.meta, local=path)]
        if not path.is_dir():
            raise NotFoundError(f"Local source {src.source!r} does not exist.", "Check the path.")
        files = [f for f in sorted(path.rglob("*")) if f.is_file()]
        for f in files:
            if not f.resolve().is_relative_to(path):
                raise PermissionDeniedError(
                    f"{f} in local source {src.source!r} is a symlink leading outside that directory.",
                    "Remove the link, or copy the file it points to into the directory.",
                )
        found = [
            Planned(_join(src.logical_key, f.relative_to(path).as_posix()), src.meta, local=f.resolve()) for f in files
        ]
        if not found:
            raise NotFoundError(f"Local directory {src.source!r} holds no files.", "Check the path.")
        for item in found:
            self._check_derived_key(item.logical_key, src.source or "")
        return found

    @staticmethod
    def _check_derived_key(logical_key: str, source: str) -> None:
        try:
            validate_logical_key(logical_key)
        except InvalidInputError as err:
            raise InvalidInputError(
                f"{source} holds an object that maps to an invalid logical key.", err.message
            ) from err


class Materializer:
    """Stores and hashes planned entries for package ``name`` in ``registry``."""

    def __init__(self, registry: Storage, name: str, *, copy: bool, progress: Progress | None) -> None:
        self.registry = registry
        self.name = name
        self.copy = copy
        self.progress = progress

    def run(self, planned: Sequence[Planned]) -> list[ManifestEntry]:
        """Manifest entries for ``planned``, in the same order."""
        total = float(sum(p.size for p in planned))
        done = 0.0
        results: list[ManifestEntry] = []
        workers = min(PARALLEL_HASHES, max(1, len(planned)))
        with ThreadPoolExecutor(workers) as pool:
            for entry in pool.map(self._one, planned):
                results.append(entry)
                done += entry.size
                if self.progress is not None:
                    self.progress(done, total, f"stored {entry.logical_key}")
        return results

    def _one(self, item: Planned) -> ManifestEntry:
        meta = _entry_meta(item.meta)
        if item.s3 is not None and not self.copy:
            storage, obj = item.s3
            obj, value = _s3_hash(storage, obj)
            physical = s3_physical_key(storage.bucket, obj.key, obj.version_id)
            return ManifestEntry(item.logical_key, physical, obj.size, _hash(value), meta)
        if self.registry.keeps_versions:
            return self._store_versioned(item, meta)
        return self._store_content_addressed(item, meta)

    def _dest_key(self, logical_key: str) -> str:
        return f"{self.name}/{logical_key}"

    def _store_versioned(self, item: Planned, meta: dict) -> ManifestEntry:
        """At the plain key: the registry keeps earlier bytes by version."""
        registry = self.registry
        key = self._dest_key(item.logical_key)
        if item.text is not None:
            written = registry.write(key, item.text)
            value = hash_bytes(item.text)
            return ManifestEntry(
                item.logical_key, registry.physical_key(key, written.version_id), item.size, _hash(value), meta
            )
        if item.local is not None:  # pragma: no cover - refused by the planner
            raise InvalidInputError("Local files can only go into a local registry.", "Upload them to S3 first.")
        storage, obj = item.s3  # type: ignore[misc]
        if storage.uri == registry.uri and obj.key == key:
            copied_version, checksum = obj.version_id, obj.checksum_sha256
        else:
            written = registry.copy_from(storage, obj.key, obj.version_id, key)
            copied_version, checksum = written.version_id, written.checksum_sha256
        value = _s3_value(registry, key, copied_version, obj.size, checksum)
        return ManifestEntry(item.logical_key, registry.physical_key(key, copied_version), obj.size, _hash(value), meta)

    def _store_content_addressed(self, item: Planned, meta: dict) -> ManifestEntry:
        """At the plain key unless it holds other bytes (an earlier revision's): then beside them, by hash."""
        registry = self.registry
        chunks: Callable[[], Iterable[bytes]]
        if item.text is not None:
            text = item.text
            value = hash_bytes(text)
            chunks = lambda: [text]  # noqa: E731
        elif item.local is not None:
            path = item.local
            source = LocalStorage(path.parent)
            value = hash_chunks(source.iter_chunks(path.name), item.size)
            chunks = lambda: source.iter_chunks(path.name)  # noqa: E731
        else:
            storage, obj = item.s3  # type: ignore[misc]
            obj, value = _s3_hash(storage, obj)
            chunks = lambda: storage.iter_chunks(obj.key, version_id=obj.version_id)  # noqa: E731
        key = self._dest_key(item.logical_key)
        stored = _holds(registry, key, item.size, value)
        if stored is False:  # an earlier revision's other bytes: store these beside them
            key = f"{LOCAL_DATA}/{base64.b64decode(value).hex()[:16]}/{key}"
            stored = _holds(registry, key, item.size, value)
        if stored is None and not registry.can_hold(key):  # a file where a directory is needed, or the reverse
            key = f"{LOCAL_DATA}/{base64.b64decode(value).hex()}/{item.logical_key.rpartition('/')[2]}"
            stored = _holds(registry, key, item.size, value)
        if not stored:
            registry.write_stream(key, chunks())
        return ManifestEntry(item.logical_key, registry.physical_key(key), item.size, _hash(value), meta)


def _s3_hash(storage: S3Storage, obj: ObjectMeta) -> tuple[ObjectMeta, str]:
    """The object (completed by a HEAD if a listing left its checksum unknown) and its hash.

    The hash comes from S3's checksum when it implies one, else from streaming the bytes.
    """
    if not obj.checksum_known:
        obj = storage.head(obj.key, version_id=obj.version_id)
    return obj, _s3_value(storage, obj.key, obj.version_id, obj.size, obj.checksum_sha256)


def _s3_value(storage: Storage, key: str, version_id: str | None, size: int, checksum: str | None) -> str:
    """The object's hash value: from S3's ``checksum`` when it implies one, else from streaming the bytes."""
    return from_s3_checksum(checksum, size) or hash_chunks(storage.iter_chunks(key, version_id=version_id), size)


def _hash(value: str) -> dict[str, str]:
    return {"type": HASH_TYPE, "value": value}


def _holds(storage: Storage, key: str, size: int, value: str) -> bool | None:
    """True if ``key`` already holds ``size`` bytes hashing to ``value``, False if other bytes, None if no file."""
    if not storage.exists(key):
        return None
    if storage.head(key).size != size:
        return False
    return hash_chunks(storage.iter_chunks(key), size) == value
