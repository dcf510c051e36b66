"""``Quilt3Ops``: every ``QuiltOps`` operation, done through quilt3 where quilt3 offers it.

quilt3 does: ``Package.browse`` (reading revisions), ``Package.push`` (writing,
with a ``selector_fn`` that keeps S3 entries where they are unless a copy is
asked for), ``list_packages``, ``list_package_versions``, ``delete_package``
and ``Package.diff``; registry keys come from quilt3's own registry layout.
Layered on top: conflict checks that name both hashes, pagination, hash-prefix
resolution within one package, and search. What quilt3 does not offer (ranged
reads, presigned URLs, object and bucket listings, reading one pointer) goes
through an S3 client of the boto3 session quilt3 provides.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from quilt_mcp import cursors
from quilt_mcp.errors import (
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
)
from quilt_mcp.models import (
    BrowsePage,
    BucketInfo,
    Entry,
    EntryChange,
    ObjectInfo,
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
from quilt_mcp.ops import (
    DEFAULT_PAGE,
    DEFAULT_READ_BYTES,
    MAX_PAGE,
    Progress,
    QuiltOps,
)
from quilt_mcp.kit.buckets import merge_buckets
from quilt_mcp.kit.s3objects import S3Objects
from quilt_mcp.kit.errors import package_not_found
from quilt_mcp.kit.revisions import agree_with_latest
from quilt_mcp.kit.scan import search_scan
from quilt_mcp.kit.s3timeouts import s3_client_options
from quilt_mcp.settings import Settings
from quilt_mcp.uris import RegistryLocation, parse_s3_uri

from quilt_mcp_quilt3 import manifests
from quilt_mcp_quilt3.detection import Quilt3Session, fresh_credentials
from quilt_mcp_quilt3.errors import mapped_errors
from quilt_mcp_quilt3.library import quilt3_call, set_s3_client_options
from quilt_mcp_quilt3.info import INFO
from quilt_mcp_quilt3.pointers import LATEST, manifest_times
from quilt_mcp_quilt3.pointers import timestamped as _timestamped
from quilt_mcp_quilt3.writing import WritePath

T = TypeVar("T")
MERGE_MODES = ("merge", "replace")


def _page(items: list[T], key: Callable[[T], Any], cursor: Any | None, limit: int) -> tuple[list[T], Any | None]:
    """Items after ``cursor`` (by ``key``, ascending), at most ``limit``, and the next cursor value."""
    rest = [item for item in items if cursor is None or key(item) > cursor]
    chunk = rest[:limit]
    return chunk, (key(chunk[-1]) if len(rest) > limit else None)


def _next_cursor(kind: str, after: Any | None) -> str | None:
    """The opaque cursor resuming listing ``kind`` after ``after`` (``None``: this was the last page)."""
    return None if after is None else cursors.encode(kind, str(after))


class Quilt3Ops(WritePath, QuiltOps):
    """Operations on S3 registries through a logged-in quilt3 session."""

    backend_name = INFO.name
    capabilities = INFO.capabilities

    def __init__(self, session: Quilt3Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self._packages = manifests.PackageCache()
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._registries: dict[str, Any] = {}
        self._client_options = s3_client_options(settings)
        set_s3_client_options(self._client_options)
        self.objects = S3Objects(lambda: self.s3, errors=mapped_errors)
        """Ranged reads, presigned URLs, object and bucket listings: S3 calls quilt3 does not offer."""

    def __repr__(self) -> str:
        return f"Quilt3Ops(catalog={self.session.catalog_url!r})"

    # Plumbing -----------------------------------------------------------

    @property
    def s3(self) -> Any:
        """An S3 client of quilt3's boto3 session (credentials checked, renewed if needed)."""
        fresh_credentials(self.session.boto3_session)
        with self._client_lock:
            if self._client is None:
                from botocore.config import Config

                self._client = self.session.boto3_session.client("s3", config=Config(**self._client_options))
            return self._client

    def _open_registry(self, parsed: RegistryLocation) -> tuple[str, Any]:
        """``(s3://bucket, quilt3 registry object)`` of an S3 registry (the pipeline refuses local ones)."""
        if parsed.uri not in self._registries:  # quilt3 reads its config file to build one
            with quilt3_call() as quilt3, mapped_errors(f"Opening registry {parsed.uri}"):
                self._registries[parsed.uri] = quilt3.backends.get_package_registry(parsed.uri)
        return parsed.uri, self._registries[parsed.uri]

    def _get_text(self, pk: Any) -> str | None:
        """The content of the small object at quilt3 physical key ``pk``; None if it does not exist."""
        s3 = self.s3
        try:
            with mapped_errors(f"Reading {pk}"):
                return s3.get_object(Bucket=pk.bucket, Key=pk.path)["Body"].read().decode().strip()
        except NotFoundError:
            return None

    def _latest(self, reg: Any, name: str) -> str | None:
        return self._get_text(reg.pointer_latest_pk(name))

    def _versions(self, uri: str, name: str) -> list[tuple[str, str]]:
        """quilt3's ``(pointer name, top hash)`` pairs of ``name``, ``latest`` included."""
        with quilt3_call() as quilt3, mapped_errors(f"Listing revisions of {name} in {uri}"):
            return list(quilt3.list_package_versions(name, registry=uri))

    def _revisions(self, uri: str, name: str) -> list[Revision]:
        """Revisions newest first; ``NotFoundError`` if the package has none."""
        versions = self._versions(uri, name)
        listed = [(r.timestamp, r.top_hash) for r in _timestamped(versions)]
        latest = dict(versions).get(LATEST)
        with mapped_errors(f"Listing revisions of {name} in {uri}"):
            agreed = agree_with_latest(listed, latest, manifest_times(self.s3, uri))
        found = [Revision(top_hash=h, timestamp=t) for t, h in agreed]
        if not found:
            raise package_not_found(name, uri)
        return found

    def _resolve(self, uri: str, reg: Any, name: str, ref: str, versions: list[tuple[str, str]] | None = None) -> str:
        """The top hash ``ref`` names; ``versions`` are quilt3's pointer pairs if already listed (not read again)."""
        if ref == "latest":
            latest = self._latest(reg, name) if versions is None else dict(versions).get("latest")
            if latest is None:
                raise package_not_found(name, uri)
            return latest
        if len(ref) == 64:
            if not self._exists(reg.manifest_pk(name, ref)):
                raise NotFoundError(f"Revision {ref} of {name} is not in {uri}.", "List its revisions to find one.")
            return ref
        if versions is None:
            versions = self._versions(uri, name)
        matches = sorted({top_hash for _, top_hash in versions if top_hash.startswith(ref)})
        if not matches:
            raise NotFoundError(f"No revision of {name} in {uri} starts with {ref}.", "List its revisions to find one.")
        if len(matches) > 1:
            raise InvalidInputError(
                f"{ref} matches {len(matches)} revisions of {name}: {', '.join(m[:12] for m in matches)}.",
                "Give more characters of the top hash.",
            )
        return matches[0]

    def _exists(self, pk: Any) -> bool:
        s3 = self.s3
        try:
            with mapped_errors(f"Checking {pk}"):
                s3.head_object(Bucket=pk.bucket, Key=pk.path)
        except NotFoundError:
            return False
        return True

    def _package_of(self, uri: str, name: str, top_hash: str, *, cached: bool = True) -> Any:
        """The quilt3 ``Package`` of one revision (``Package.browse``); shared and read-only when ``cached``."""
        key = (uri, name, top_hash)
        pkg = self._packages.get(key) if cached else None
        if pkg is None:
            with quilt3_call() as quilt3, mapped_errors(f"Reading {name}@{top_hash[:10]} from {uri}"):
                pkg = quilt3.Package.browse(name, registry=uri, top_hash=top_hash)
            if cached:
                self._packages.put(key, pkg)
        return pkg

    def _open(self, registry: RegistryLocation, name: str, ref: str) -> tuple[str, Any, str]:
        """``(registry uri, quilt3 registry, top hash)`` for ``name@ref``, inputs validated."""
        uri, reg = self._open_registry(registry)
        return uri, reg, self._resolve(uri, reg, name, ref)

    def _open_with_revisions(self, registry: RegistryLocation, name: str, ref: str) -> tuple[str, Any, str, list[Revision]]:
        """``_open`` plus the timestamped revisions holding the top hash; the pointers are read once for both."""
        uri, reg = self._open_registry(registry)
        versions = self._versions(uri, name)
        top_hash = self._resolve(uri, reg, name, ref, versions)
        return uri, reg, top_hash, [r for r in _timestamped(versions) if r.top_hash == top_hash]

    # Packages: reading ------------------------------------------------

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str = "", cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[PackageSummary]:
        uri, _ = self._open_registry(registry)
        names = [name for name in self._package_names(uri) if name.startswith(prefix)]
        chunk, after = _page(names, str, cursors.decode("packages", cursor), limit)
        return Page(
            items=[PackageSummary(name=name, registry=uri) for name in chunk], next_cursor=_next_cursor("packages", after)
        )

    def _package_names(self, uri: str) -> list[str]:
        with quilt3_call() as quilt3, mapped_errors(f"Listing packages in {uri}"):
            return sorted(set(quilt3.list_packages(uri)))

    def _list_revisions(
        self, registry: RegistryLocation, name: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[Revision]:
        uri, _ = self._open_registry(registry)
        before = self._cursor_seconds(cursor)
        revisions = self._revisions(uri, name)
        chunk, after = _page(revisions, lambda r: -r.timestamp.timestamp(), None if before is None else -before, limit)
        return Page(items=chunk, next_cursor=_next_cursor("revisions", None if after is None else int(-after)))

    @staticmethod
    def _cursor_seconds(cursor: str | None) -> int | None:
        seconds = cursors.decode("revisions", cursor)
        if seconds is None:
            return None
        if not seconds.isdigit():
            raise cursors.invalid(cursor)  # type: ignore[arg-type]
        return int(seconds)

    def _resolve_revision(self, registry: RegistryLocation, name: str, ref: str = "latest") -> str:
        return self._open(registry, name, ref)[2]

    def _package_info(self, registry: RegistryLocation, name: str, ref: str = "latest") -> PackageInfo:
        uri, _, top_hash, revisions = self._open_with_revisions(registry, name, ref)
        pkg = self._package_of(uri, name, top_hash)
        head = manifests.header(pkg)
        count, size = manifests.totals(pkg)
        return PackageInfo(
            name=name,
            registry=uri,
            top_hash=top_hash,
            message=head.get("message"),
            user_meta=manifests.header_user_meta(head),
            workflow=head.get("workflow"),
            timestamp=revisions[0].timestamp if revisions else None,
            entry_count=count,
            total_bytes=size,
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
        uri, _, top_hash = self._open(registry, name, ref)
        if progress:
            progress(0, None, f"Loading the manifest of {name}@{top_hash[:10]}")
        pkg = self._package_of(uri, name, top_hash)
        directory = path.rstrip("/")
        node = pkg
        if directory:
            node = manifests.lookup(pkg, directory, name=name, top_hash=top_hash)
            if manifests.is_entry(node):
                raise NotFoundError(f"{directory!r} is a file, not a directory.", "Use entry_info or read_entry for files.")
        prefix = f"{directory}/" if directory else ""
        rows = manifests.browse_rows(node, prefix, recursive=recursive)
        chunk, after = _page(rows, lambda row: row[0], cursors.decode("browse", cursor), limit)
        return browse_page(chunk, name=name, top_hash=top_hash, path=prefix, next_cursor=_next_cursor("browse", after))

    def _entry(self, registry: RegistryLocation, name: str, logical_key: str, ref: str) -> Entry:
        uri, _, top_hash = self._open(registry, name, ref)
        node = manifests.lookup(self._package_of(uri, name, top_hash), logical_key, name=name, top_hash=top_hash)
        if not manifests.is_entry(node):
            raise NotFoundError(f"{logical_key!r} is a directory, not a file.", "Browse it with path=<directory>.")
        return manifests.to_entry(logical_key, node)

    def _entry_info(self, registry: RegistryLocation, name: str, logical_key: str, ref: str = "latest") -> Entry:
        return self._entry(registry, name, logical_key, ref)

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
        entry = self._entry(registry, name, logical_key, ref)
        where = self._s3_location(entry)
        return self.objects.read(where, source=logical_key, offset=offset, max_bytes=max_bytes, mode=mode)

    @staticmethod
    def _s3_location(entry: Entry) -> Any:
        if not entry.physical_key.startswith("s3://"):
            raise NotSupportedError(
                f"{entry.logical_key!r} is stored at {entry.physical_key}, outside S3.",
                "Only entries stored in S3 can be read through the quilt3 backend.",
            )
        return parse_s3_uri(entry.physical_key)

    def _entry_url(
        self, registry: RegistryLocation, name: str, logical_key: str, ref: str = "latest", *, expires_in: int = 3600
    ) -> PresignedUrl:
        entry = self._entry(registry, name, logical_key, ref)
        return self.objects.presign(self._s3_location(entry), expires_in)

    def _diff(
        self, registry: RegistryLocation, name: str, before: str, after: str = "latest", *, limit: int = MAX_PAGE
    ) -> PackageDiff:
        uri, reg, old_hash = self._open(registry, name, before)
        new_hash = self._resolve(uri, reg, name, after)
        old, new = self._package_of(uri, name, old_hash), self._package_of(uri, name, new_hash)
        with quilt3_call():
            added, modified, removed = old.diff(new)
        changed = [
            EntryChange(logical_key=lk, before=manifests.to_entry(lk, old[lk]), after=manifests.to_entry(lk, new[lk]))
            for lk in sorted(modified)
        ]
        old_head, new_head = manifests.header(old), manifests.header(new)
        return PackageDiff(
            name=name,
            before=old_hash,
            after=new_hash,
            added=sorted(added)[:limit],
            removed=sorted(removed)[:limit],
            changed=changed[:limit],
            added_count=len(added),
            removed_count=len(removed),
            changed_count=len(changed),
            truncated=max(len(added), len(removed), len(changed)) > limit,
            message_before=old_head.get("message"),
            message_after=new_head.get("message"),
            user_meta_before=manifests.header_user_meta(old_head),
            user_meta_after=manifests.header_user_meta(new_head),
        )

    def _search_packages(
        self, registry: RegistryLocation, needle: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[SearchHit]:
        uri, reg = self._open_registry(registry)
        return search_scan(
            needle,
            cursor=cursor,
            limit=limit,
            names=lambda after: (n for n in self._package_names(uri) if after is None or n > after),
            latest_header=lambda name: self._latest_header(reg, name),
        )

    def _latest_header(self, reg: Any, name: str) -> tuple[str, dict[str, Any]] | None:
        """The top hash and manifest header of the latest revision of ``name``; None if there is none."""
        top_hash = self._latest(reg, name)
        if top_hash is None:
            return None
        return top_hash, self._manifest_header(reg.manifest_pk(name, top_hash))

    def _manifest_header(self, pk: Any) -> dict[str, Any]:
        """The first line of a manifest, streamed: the rest is never downloaded."""
        s3 = self.s3
        with mapped_errors(f"Reading {pk}"):
            body = s3.get_object(Bucket=pk.bucket, Key=pk.path)["Body"]
            try:
                first = next(body.iter_lines(), b"{}")
            finally:
                body.close()
        return json.loads(first)

    # Buckets and objects ------------------------------------------------

    def _list_buckets(self) -> list[BucketInfo]:
        return merge_buckets(self.objects.bucket_names(), self.settings.registries)

    def _list_objects(
        self, uri: str, *, recursive: bool = False, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[ObjectInfo]:
        return self.objects.list_objects(uri, recursive=recursive, cursor=cursor, limit=limit)

    def _object_info(self, uri: str) -> ObjectInfo:
        return self.objects.object_info(uri)

    def _read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        return self.objects.read_object(uri, offset=offset, max_bytes=max_bytes, mode=mode)
