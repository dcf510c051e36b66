"""``IamOps``: every ``QuiltOps`` operation on S3 (boto3) or a local directory, without quilt3.

Manifests are read once per top hash into a compact ``Manifest`` index and
cached (bounded); browsing, entry lookups and diffs work on that index by
binary search and range scans, never on a tree of objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from quilt_mcp import capabilities as cap
from quilt_mcp import cursors
from quilt_mcp.errors import (
    AuthRequiredError,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
)
from quilt_mcp.models import (
    BrowseItem,
    BrowsePage,
    BucketInfo,
    DeleteResult,
    Entry,
    EntryChange,
    EntrySource,
    ObjectInfo,
    PackageDiff,
    PackageInfo,
    PackageSummary,
    Page,
    PresignedUrl,
    PushResult,
    ReadMode,
    ReadResult,
    Revision,
    SearchHit,
)
from quilt_mcp.names import (
    PACKAGE_NAME_RE,
)
from quilt_mcp.ops import (
    DEFAULT_PAGE,
    DEFAULT_READ_BYTES,
    MAX_PAGE,
    MetaMode,
    Progress,
    QuiltOps,
)
from quilt_mcp.kit.buckets import merge_buckets
from quilt_mcp.kit.reading import read_result
from quilt_mcp.kit.s3objects import s3_errors
from quilt_mcp.kit.scan import search_scan
from quilt_mcp.uris import RegistryLocation
from quilt_mcp.uris import as_directory, file_uri_path, local_path, parse_registry, parse_s3_uri

from quilt_mcp_iam.cache import DEFAULT_CACHE_BYTES, ManifestCache
from quilt_mcp_iam.local import LocalStorage
from quilt_mcp_iam.manifest import Manifest, ManifestEntry, serialize, sort_key
from quilt_mcp_iam.package_names import PAGE
from quilt_mcp_iam.registry import Registry, parallel_map, pointer_time
from quilt_mcp_iam.s3 import S3Storage
from quilt_mcp_iam.sources import Materializer, SourcePlanner
from quilt_mcp_iam.storage import ObjectMeta, Storage

PROGRESS_EVERY = 500
"""Browse reports progress every this many items."""

ClientFactory = Callable[[], Any]


class IamOps(QuiltOps):
    """Quilt registries read and written directly: S3 through boto3, local directories through the filesystem.

    ``client_factory`` makes the boto3 S3 client (called once, on first S3
    use); ``registries`` are the configured registries (``QUILT_MCP_REGISTRIES``).
    ``file://`` objects outside those are never read. Without ``aws`` (no
    credentials were found), ``list_buckets`` does not ask S3. ``list_page``: keys per
    listing call of package names (S3 returns at most 1,000).
    """

    backend_name = "iam"
    capabilities = cap.ALL

    def __init__(
        self,
        client_factory: ClientFactory,
        *,
        registries: Sequence[str] = (),
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        aws: bool = True,
        list_page: int = PAGE,
    ) -> None:
        self._client_factory = client_factory
        self.aws = aws
        self._client: Any = None
        self._client_lock = threading.Lock()
        self.registries = tuple(parse_registry(r) for r in registries)
        self.cache = ManifestCache(cache_bytes)
        self.list_page = list_page

    # Plumbing -----------------------------------------------------------

    @property
    def s3_client(self) -> Any:
        """The boto3 S3 client, made on first use."""
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def s3(self, bucket: str) -> S3Storage:
        return S3Storage(self.s3_client, bucket)

    def _storage(self, location: RegistryLocation) -> Storage:
        if location.is_local:
            return LocalStorage(location.path)  # type: ignore[arg-type]
        return self.s3(location.bucket)

    def registry(self, location: RegistryLocation, *, must_exist: bool = True) -> Registry:
        """The ``Registry`` at ``location`` (``NotFoundError`` for a missing local directory when ``must_exist``)."""
        if must_exist and location.is_local and not location.path.is_dir():  # type: ignore[union-attr]
            raise NotFoundError(
                f"Local registry {location.uri} does not exist.", "Check the path, or create a package there first."
            )
        return Registry(location.uri, self._storage(location), self.cache, list_page=self.list_page)

    def _package(self, registry: RegistryLocation, name: str, ref: str) -> tuple[Registry, str, Manifest]:
        reg = self.registry(registry)
        top_hash, manifest = reg.revision(name, ref)
        return reg, top_hash, manifest

    def _locate(self, physical_key: str, reg: Registry) -> tuple[Storage, str, str | None]:
        """Storage, key and version of an entry's bytes.

        ``file://`` keys are followed only for local registries: a manifest in
        a bucket must not make this process read its own files.
        """
        if physical_key.startswith("s3://"):
            return self._object(physical_key)
        if physical_key.startswith("file://") and isinstance(reg.storage, LocalStorage):
            path = file_uri_path(physical_key)
            return LocalStorage(path.parent), path.name, None
        raise PermissionDeniedError(
            f"The entry's bytes are at {physical_key}, which this registry may not point to.",
            "Only local registries may hold file:// entries; re-push the entry from S3.",
        )

    def _entry(self, registry: RegistryLocation, name: str, logical_key: str, ref: str) -> tuple[Registry, ManifestEntry]:
        reg, top_hash, manifest = self._package(registry, name, ref)
        index = manifest.find(logical_key)
        if index is None:
            raise NotFoundError(
                f"{logical_key!r} is not in {name}@{top_hash[:10]}.", "Browse the package to see its logical keys."
            )
        return reg, manifest.entry_at(index)

    # Packages: reading -------------------------------------------------

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str = "", cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[PackageSummary]:
        after = cursors.decode("packages", cursor)
        if after is not None and not PACKAGE_NAME_RE.match(after.removesuffix("/")):
            raise cursors.invalid(cursor or "")
        reg = self.registry(registry)
        listing = reg.iter_names(prefix, after)
        names = listing.take(limit)
        items = [PackageSummary(name=n, registry=reg.uri) for n in names]
        more = bool(names) and listing.has_more()
        next_cursor = cursors.encode("packages", listing.resume_after(names[-1])) if more else None
        return Page(items=items, next_cursor=next_cursor)

    def _list_revisions(
        self, registry: RegistryLocation, name: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[Revision]:
        after = cursors.decode("revisions", cursor)
        reg = self.registry(registry)
        stamps = reg.timestamps(name)
        if not stamps and not reg.exists(name):
            raise reg.not_found(name)
        if after is not None:
            if not after.isdigit():
                raise cursors.invalid(cursor or "")
            stamps = [s for s in stamps if int(s) < int(after)]
        page = stamps[:limit]
        hashes = reg.read_pointers(name, page)
        items = [Revision(top_hash=hashes[s], timestamp=pointer_time(s)) for s in page if s in hashes]
        more = len(stamps) > limit
        return Page(items=items, next_cursor=cursors.encode("revisions", page[-1]) if more else None)

    def _resolve_revision(self, registry: RegistryLocation, name: str, ref: str = "latest") -> str:
        return self.registry(registry).resolve(name, ref)

    def _package_info(self, registry: RegistryLocation, name: str, ref: str = "latest") -> PackageInfo:
        reg, top_hash, manifest = self._package(registry, name, ref)
        return PackageInfo(
            name=name,
            registry=reg.uri,
            top_hash=top_hash,
            message=manifest.message,
            user_meta=manifest.user_meta,
            workflow=manifest.workflow,
            timestamp=reg.timestamp_of(name, top_hash),
            entry_count=len(manifest),
            total_bytes=manifest.total_bytes,
        )

    def _browse(
        self,
        registry: RegistryLocation,
        name: str,
        ref: str = "latest",
        *,
        path: str = "",
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        progress: Progress | None = None,
    ) -> BrowsePage:
        resume = cursors.decode("browse", cursor)
        if progress:
            progress(0, None, f"Reading the manifest of {name}")
        reg, top_hash, manifest = self._package(registry, name, ref)
        directory = path.rstrip("/")
        lo, hi = manifest.directory(directory)
        if directory and lo == hi:
            what = "a file" if manifest.find(directory) is not None else "not in the package"
            raise NotFoundError(
                f"{path!r} is {what}, not a directory of {name}@{top_hash[:10]}.",
                "Browse its parent directory, or use entry_info for a file.",
            )
        position = lo if resume is None else manifest.after(resume.rstrip("/"), lo, hi)
        items: list[BrowseItem] = []
        prefix = directory + "/" if directory else ""
        expected = min(limit, hi - position)
        while position < hi and len(items) < limit:
            if progress and len(items) % PROGRESS_EVERY == 0:
                progress(len(items), expected, f"Listed {len(items)} of up to {expected} items")
            rest = manifest.key_at(position)[len(prefix) :]
            if recursive or "/" not in rest:
                entry = manifest.entry_at(position)
                items.append(
                    BrowseItem(
                        path=entry.logical_key,
                        kind="file",
                        size=entry.size,
                        hash=entry.model().hash,
                        physical_key=entry.physical_key,
                    )
                )
                position += 1
            else:
                child = prefix + rest.split("/", 1)[0]
                end = manifest.after(child, position, hi)
                items.append(BrowseItem(path=child + "/", kind="directory", size=manifest.bytes_between(position, end)))
                position = end
        more = position < hi
        if progress:
            progress(len(items), len(items), f"Listed {len(items)} items")
        return BrowsePage(
            items=items,
            next_cursor=cursors.encode("browse", items[-1].path) if more and items else None,
            name=name,
            top_hash=top_hash,
            path=path,
        )

    def _entry_info(self, registry: RegistryLocation, name: str, logical_key: str, ref: str = "latest") -> Entry:
        return self._entry(registry, name, logical_key, ref)[1].model()

    def _read_entry(
        self,
        registry: RegistryLocation,
        name: str,
        logical_key: str,
        ref: str = "latest",
        *,
        offset: int = 0,
        max_bytes: int = DEFAULT_READ_BYTES,
        mode: ReadMode = "auto",
    ) -> ReadResult:
        reg, entry = self._entry(registry, name, logical_key, ref)
        storage, key, version = self._locate(entry.physical_key, reg)
        return _read(storage, key, version, logical_key, offset, max_bytes, mode)

    def _entry_url(
        self, registry: RegistryLocation, name: str, logical_key: str, ref: str = "latest", *, expires_in: int = 3600
    ) -> PresignedUrl:
        reg, entry = self._entry(registry, name, logical_key, ref)
        storage, key, version = self._locate(entry.physical_key, reg)
        url, valid_for = storage.presign(key, version_id=version, expires_in=expires_in)
        return PresignedUrl(url=url, expires_in=valid_for)

    def _diff(
        self, registry: RegistryLocation, name: str, before: str, after: str = "latest", *, limit: int = MAX_PAGE
    ) -> PackageDiff:
        reg, old_hash, old = self._package(registry, name, before)
        new_hash, new = reg.revision(name, after)
        added: list[str] = []
        removed: list[str] = []
        changed: list[EntryChange] = []
        counts = {"added": 0, "removed": 0, "changed": 0}
        for kind, a, b in _compare(old, new):
            counts[kind] += 1
            if kind == "added" and len(added) < limit:
                added.append(b.logical_key)  # type: ignore[union-attr]
            elif kind == "removed" and len(removed) < limit:
                removed.append(a.logical_key)  # type: ignore[union-attr]
            elif kind == "changed" and len(changed) < limit:
                changed.append(EntryChange(logical_key=a.logical_key, before=a.model(), after=b.model()))  # type: ignore[union-attr]
        return PackageDiff(
            name=name,
            before=old_hash,
            after=new_hash,
            added=added,
            removed=removed,
            changed=changed,
            added_count=counts["added"],
            removed_count=counts["removed"],
            changed_count=counts["changed"],
            truncated=any(n > limit for n in counts.values()),
            message_before=old.message,
            message_after=new.message,
            user_meta_before=old.user_meta,
            user_meta_after=new.user_meta,
        )

    def _search_packages(
        self, registry: RegistryLocation, needle: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[SearchHit]:
        """The kit's bounded scan over the registry's package names, reading latest headers in parallel."""
        reg = self.registry(registry)
        return search_scan(
            needle,
            cursor=cursor,
            limit=limit,
            names=lambda after: reg.iter_names("", after),
            latest_header=lambda name: _latest_header(reg, name),
            map_batch=lambda fn, batch: parallel_map(fn, batch, remote=reg.storage.remote),
        )

    # Packages: writing -------------------------------------------------

    def _create_revision(
        self,
        registry: RegistryLocation,
        name: str,
        entries: Sequence[EntrySource],
        *,
        message: str | None = None,
        user_meta: dict[str, Any] | None = None,
        base_hash: str | None = None,
        force: bool = False,
        copy: bool = False,
        progress: Progress | None = None,
    ) -> PushResult:
        reg = self.registry(registry, must_exist=False)
        planned = self._planner(reg).plan(entries)
        expected = reg.resolve(name, base_hash) if base_hash is not None else None
        self._check_writable(reg, name, expected, check_latest=not force)
        header: dict[str, Any] = {"version": "v0"}
        if user_meta is not None:
            header["user_meta"] = user_meta
        header["message"] = message
        new_entries = Materializer(reg.storage, name, copy=copy, progress=progress).run(planned)
        return self._push(reg, name, header, (), new_entries, expected, force)

    def _update_revision(
        self,
        registry: RegistryLocation,
        name: str,
        *,
        base_ref: str = "latest",
        add: Sequence[EntrySource] = (),
        remove: Sequence[str] = (),
        user_meta: dict[str, Any] | None = None,
        meta_mode: MetaMode = "merge",
        message: str | None = None,
        force: bool = False,
        copy: bool = False,
        progress: Progress | None = None,
    ) -> PushResult:
        reg, base_hash, base = self._package(registry, name, base_ref)
        planned = self._planner(reg).plan(add)
        removal = _Removal(remove, base)
        # A base of 'latest' was read just now: reading it again would only repeat that GET.
        self._check_writable(reg, name, base_hash, check_latest=not force and base_ref != "latest")
        header = {k: v for k, v in base.header.items() if k not in ("top_hash", "workflow")}
        if user_meta is not None:
            header["user_meta"] = user_meta if meta_mode == "replace" else {**base.user_meta, **user_meta}
        header["message"] = message
        added = Materializer(reg.storage, name, copy=copy, progress=progress).run(planned)
        kept = (e for e in base.entries() if not removal.drops(e.logical_key))
        merged = _overlay(kept, added)
        return self._push(reg, name, header, base.dir_meta, merged, base_hash, force)

    def _planner(self, reg: Registry) -> SourcePlanner:
        return SourcePlanner(self.s3)

    @staticmethod
    def _check_writable(reg: Registry, name: str, expected: str | None, *, check_latest: bool) -> None:
        """Refuse early (before any data is stored) a push that needs workflows or (``check_latest``) whose
        ``expected`` is no longer the latest revision. ``Registry.push`` checks ``latest`` again as it writes."""
        if reg.has_workflows():
            raise NotSupportedError(
                f"{reg.uri} has a workflows config (.quilt/workflows/config.yml) that the iam backend cannot validate.",
                "Push to this registry with the quilt3 backend (quilt3 login) instead.",
                capability=cap.WRITE,
            )
        if check_latest:
            current = reg.latest(name)
            if current != expected:
                raise reg.conflict(name, expected, current)

    def _push(
        self,
        reg: Registry,
        name: str,
        header: dict[str, Any],
        dir_meta: Sequence[tuple[str, dict[str, Any]]],
        entries: Iterator[ManifestEntry] | Sequence[ManifestEntry],
        expected: str | None,
        force: bool,
    ) -> PushResult:
        written = serialize(header, dir_meta, entries)
        timestamp, previous = reg.push(name, written, expected=expected, force=force)
        return PushResult(
            name=name,
            registry=reg.uri,
            top_hash=written.top_hash,
            timestamp=timestamp,
            entry_count=written.entry_count,
            total_bytes=written.total_bytes,
            previous_hash=previous,
        )

    def _delete_revision(self, registry: RegistryLocation, name: str, ref: str) -> DeleteResult:
        reg = self.registry(registry)
        top_hash = reg.resolve(name, ref)
        deleted, latest = reg.delete_revision(name, top_hash)
        return DeleteResult(
            name=name,
            registry=reg.uri,
            deleted_revisions=[Revision(top_hash=h, timestamp=t) for t, h in deleted],
            latest=latest,
        )

    def _delete_package(self, registry: RegistryLocation, name: str) -> DeleteResult:
        reg = self.registry(registry)
        deleted = reg.delete_package(name)
        return DeleteResult(
            name=name,
            registry=reg.uri,
            deleted_revisions=[Revision(top_hash=h, timestamp=t) for t, h in deleted],
            latest=None,
        )

    # Buckets and objects -----------------------------------------------

    def _list_buckets(self) -> list[BucketInfo]:
        listed: list[str] = []
        if self.aws:
            try:
                with s3_errors("the bucket list"):
                    listed = [b["Name"] for b in self.s3_client.list_buckets().get("Buckets", [])]
            except (AuthRequiredError, PermissionDeniedError):
                if not self.registries:
                    raise
        return merge_buckets(listed, [location.uri for location in self.registries])

    def _list_objects(
        self,
        uri: str,
        *,
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> Page[ObjectInfo]:
        token = cursors.decode("objects", cursor)
        storage, prefix = self._object_location(uri)
        page = storage.list(as_directory(prefix), delimiter=None if recursive else "/", token=token, max_keys=limit)
        items = [_object_info(storage, obj) for obj in page.objects]
        items += [ObjectInfo(uri=_object_uri(storage, p), kind="prefix") for p in page.prefixes]
        items.sort(key=lambda item: item.uri)
        return Page(items=items, next_cursor=cursors.encode("objects", page.next_token) if page.next_token else None)

    def _object_info(self, uri: str) -> ObjectInfo:
        storage, key, version = self._object(uri)
        return _object_info(storage, storage.head(key, version_id=version))

    def _read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        storage, key, version = self._object(uri)
        return _read(storage, key, version, uri, offset, max_bytes, mode)

    def _object(self, uri: str) -> tuple[Storage, str, str | None]:
        if uri.startswith("s3://"):
            parsed = parse_s3_uri(uri, allow_empty_key=False)
            return self.s3(parsed.bucket), parsed.key, parsed.version_id
        storage, key = self._object_location(uri)
        if not key:
            raise InvalidInputError(f"{uri!r} names a directory, not a file.", "Name a file.")
        return storage, key, None

    def _object_location(self, uri: str) -> tuple[Storage, str]:
        """Storage and key (or prefix) of an ``s3://`` URI, or of a path inside a configured local registry."""
        if uri.startswith("s3://"):
            parsed = parse_s3_uri(uri)
            if parsed.version_id:
                raise InvalidInputError(f"{uri!r} has a versionId; a listing takes a prefix.", "Drop ?versionId=.")
            return self.s3(parsed.bucket), parsed.key
        path = local_path(uri)
        for location in self.registries:
            root = location.path
            if location.is_local and root is not None and (path == root or root in path.parents):
                return LocalStorage(root), path.relative_to(root).as_posix() if path != root else ""
        raise InvalidInputError(
            f"{uri!r} is not an S3 URI or a path inside a configured local registry.",
            "Use s3://bucket/key, or add the local registry to QUILT_MCP_REGISTRIES.",
        )


def _read(
    storage: Storage, key: str, version: str | None, source: str, offset: int, max_bytes: int, mode: ReadMode
) -> ReadResult:
    data, total = storage.read_range(key, offset, max_bytes, version_id=version)
    return read_result(source, data, offset=offset, total_size=total, mode=mode)


def _object_uri(storage: Storage, key: str) -> str:
    """The URI of an object or (``key`` ending in '/') a prefix."""
    uri = storage.physical_key(key)
    return uri + "/" if key.endswith("/") and not uri.endswith("/") else uri


def _object_info(storage: Storage, obj: ObjectMeta) -> ObjectInfo:
    return ObjectInfo(
        uri=_object_uri(storage, obj.key),
        kind="object",
        size=obj.size,
        last_modified=obj.last_modified,
        etag=obj.etag,
        version_id=obj.version_id,
        content_type=obj.content_type,
    )


def _latest_header(reg: Registry, name: str) -> tuple[str, dict[str, Any]] | None:
    """The top hash and manifest header of the latest revision of ``name``; None if there is none."""
    top_hash = reg.latest(name)
    if top_hash is None:
        return None
    try:
        return top_hash, reg.header(top_hash)
    except NotFoundError:
        return None


def _compare(old: Manifest, new: Manifest) -> Iterator[tuple[str, ManifestEntry | None, ManifestEntry | None]]:
    """Walk two manifests in walk order: ``("added"|"removed"|"changed", before, after)``.

    Byte-identical lines are the same entry and are passed over unparsed, so a
    diff of two big revisions parses only what differs.
    """
    i = j = 0
    n, m = len(old), len(new)
    while i < n or j < m:
        if i < n and j < m and old.line_at(i) == new.line_at(j):
            i, j = i + 1, j + 1
            continue
        a = old.entry_at(i) if i < n else None
        b = new.entry_at(j) if j < m else None
        ka = sort_key(a.logical_key) if a is not None else None
        kb = sort_key(b.logical_key) if b is not None else None
        if kb is None or (ka is not None and ka < kb):
            yield "removed", a, None
            i += 1
        elif ka is None or kb < ka:
            yield "added", None, b
            j += 1
        else:
            if not a.same_content(b):  # type: ignore[union-attr]
                yield "changed", a, b
            i, j = i + 1, j + 1


def _overlay(base: Iterator[ManifestEntry], added: list[ManifestEntry]) -> Iterator[ManifestEntry]:
    """``base`` with ``added`` merged in (both in walk order); an added entry replaces a base one."""
    replacing = iter(added)
    nxt = next(replacing, None)
    for entry in base:
        key = sort_key(entry.logical_key)
        while nxt is not None and sort_key(nxt.logical_key) < key:
            yield nxt
            nxt = next(replacing, None)
        if nxt is not None and sort_key(nxt.logical_key) == key:
            continue
        yield entry
    while nxt is not None:
        yield nxt
        nxt = next(replacing, None)


class _Removal:
    """The logical keys and directory prefixes an update drops; each must match something in the base."""

    def __init__(self, remove: Sequence[str], base: Manifest) -> None:
        self.keys = {k for k in remove if not k.endswith("/")}
        self.dirs = tuple(k for k in remove if k.endswith("/"))
        for key in self.keys:
            if base.find(key) is None:
                raise NotFoundError(f"Cannot remove {key!r}: it is not in the base revision.", "Browse the package.")
        for directory in self.dirs:
            lo, hi = base.directory(directory.rstrip("/"))
            if lo == hi:
                raise NotFoundError(
                    f"Cannot remove {directory}: no entries below it in the base revision.", "Browse the package."
                )

    def drops(self, logical_key: str) -> bool:
        return logical_key in self.keys or logical_key.startswith(self.dirs)
