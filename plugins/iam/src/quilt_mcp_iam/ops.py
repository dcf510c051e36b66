"""``IamOps``: every ``QuiltOps`` operation on S3 (boto3) or a local directory, without quilt3.

Manifests are read once per top hash into a compact ``Manifest`` index and
cached (bounded); browsing, entry lookups and diffs work on that index by
binary search and range scans, never on a tree of objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from quilt_mcp import cursors
from quilt_mcp.errors import (
    NotFoundError,
    PermissionDeniedError,
)
from quilt_mcp.models import (
    BrowsePage,
    BrowseRow,
    Entry,
    PackageDiff,
    PackageInfo,
    PackageSummary,
    Page,
    PresignedUrl,
    ReadMode,
    ReadResult,
    Revision,
    SearchHit,
    browse_page,
)
from quilt_mcp.names import (
    PACKAGE_NAME_RE,
)
from quilt_mcp.ops import (
    DEFAULT_PAGE,
    DEFAULT_READ_BYTES,
    MAX_PAGE,
    Progress,
    QuiltOps,
)
from quilt_mcp.kit.diffs import DiffSide, package_diff
from quilt_mcp.kit.scan import search_scan
from quilt_mcp.uris import RegistryLocation
from quilt_mcp.uris import file_uri_path, parse_registry

from quilt_mcp_iam.info import INFO
from quilt_mcp_iam.cache import DEFAULT_CACHE_BYTES, ManifestCache
from quilt_mcp_iam.local import LocalStorage, within
from quilt_mcp_iam.manifest import Manifest, ManifestEntry
from quilt_mcp_iam.package_names import PAGE
from quilt_mcp_iam.registry import Registry, parallel_map, pointer_time
from quilt_mcp_iam.s3 import S3Storage
from quilt_mcp_iam.storage import Storage

from quilt_mcp_iam.changes import compare
from quilt_mcp_iam.objects import ObjectOperations, read
from quilt_mcp_iam.writing import WritePath

PROGRESS_EVERY = 500
"""Browse reports progress every this many items."""

ClientFactory = Callable[[], Any]


class IamOps(WritePath, ObjectOperations, QuiltOps):
    """Quilt registries read and written directly: S3 through boto3, local directories through the filesystem.

    ``client_factory`` makes the boto3 S3 client (called once, on first S3
    use); ``registries`` are the configured registries (``QUILT_MCP_REGISTRIES``).
    ``file://`` objects outside those are never read. Without ``aws`` (no
    credentials were found), ``list_buckets`` does not ask S3. ``list_page``: keys per
    listing call of package names (S3 returns at most 1,000).
    """

    backend_name = INFO.name
    capabilities = INFO.capabilities

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

        ``file://`` keys are followed only for local registries, and only to files
        inside the registry's directory (after following symlinks): a manifest must
        not make this process read any other file of its host.
        """
        if physical_key.startswith("s3://"):
            return self._object(physical_key)
        if physical_key.startswith("file://") and reg.uri.startswith("file://"):
            path = file_uri_path(physical_key).resolve()
            if not within(path, file_uri_path(reg.uri)):
                raise PermissionDeniedError(
                    f"The entry's bytes are at {physical_key}, outside the registry {reg.uri}.",
                    "A local registry's entries are read only inside its directory; re-push the entry.",
                )
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
        found = [(pointer_time(s), hashes[s]) for s in page if s in hashes]
        if after is None:
            found = reg.agree_with_latest(name, found)
        items = [Revision(top_hash=h, timestamp=t) for t, h in found]
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
        rows: list[BrowseRow] = []
        prefix = directory + "/" if directory else ""
        expected = min(limit, hi - position)
        if recursive:
            while position < hi and len(rows) < limit:  # a run of lines, decoded together
                if progress:
                    progress(len(rows), expected, f"Listed {len(rows)} of up to {expected} items")
                end = min(hi, position + min(PROGRESS_EVERY, limit - len(rows)))
                rows += [(r["logical_key"], r["size"], r["hash"]) for r in manifest.records(position, end)]
                position = end
        else:
            while position < hi and len(rows) < limit:
                if progress and len(rows) % PROGRESS_EVERY == 0:
                    progress(len(rows), expected, f"Listed {len(rows)} of up to {expected} items")
                record = manifest.record_at(position)  # each line decoded once
                key = record["logical_key"]
                rest = key[len(prefix) :]
                if "/" not in rest:
                    rows.append((key, record["size"], record["hash"]))
                    position += 1
                else:
                    child = prefix + rest.split("/", 1)[0] + "/"
                    end = manifest.after(child[:-1], position, hi)
                    rows.append((child, manifest.bytes_between(position, end), None))
                    position = end
        more = position < hi
        if progress:
            progress(len(rows), len(rows), f"Listed {len(rows)} items")
        return browse_page(
            rows,
            name=name,
            top_hash=top_hash,
            path=path,
            next_cursor=cursors.encode("browse", rows[-1][0]) if more and rows else None,
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
        return read(storage, key, version, logical_key, offset, max_bytes, mode)

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
        return package_diff(
            name,
            DiffSide(old_hash, old.message, old.user_meta),
            DiffSide(new_hash, new.message, new.user_meta),
            compare(old, new),
            limit=limit,
            as_entry=ManifestEntry.model,
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

def _latest_header(reg: Registry, name: str) -> tuple[str, dict[str, Any]] | None:
    """The top hash and manifest header of the latest revision of ``name``; None if there is none."""
    top_hash = reg.latest(name)
    if top_hash is None:
        return None
    try:
        return top_hash, reg.header(top_hash)
    except NotFoundError:
        return None
