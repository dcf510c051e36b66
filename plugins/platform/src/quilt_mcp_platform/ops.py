"""``PlatformOps``: every ``QuiltOps`` operation through a Quilt catalog's GraphQL API and the registry's S3.

Reads go through GraphQL (``packages``, ``revisions``, ``revision``,
``contentsFlatMap``); bytes, presigned URLs and objects through S3 with the
STS credentials the registry hands out for the user's role, renewed before
they expire (``credentials.refreshable_session``), through the core's
``S3Objects``. Writes are in ``writing``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from quilt_mcp import cursors
from quilt_mcp.errors import InvalidInputError, NotFoundError
from quilt_mcp.kit.buckets import merge_buckets
from quilt_mcp.kit.diffs import DiffSide, package_diff
from quilt_mcp.kit.errors import package_not_found
from quilt_mcp.kit.s3objects import S3Objects
from quilt_mcp.models import (
    BrowseRow,
    BrowsePage,
    BucketInfo,
    Entry,
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
from quilt_mcp.ops import Progress, QuiltOps
from quilt_mcp.uris import RegistryLocation, parse_registry, parse_s3_uri

from quilt_mcp_platform.credentials import refreshable_session
from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import CatalogClient
from quilt_mcp_platform.index import RevisionIndex, compare
from quilt_mcp_platform.info import INFO
from quilt_mcp_platform.revisions import FULL_HASH, Revisions, when
from quilt_mcp_platform.searching import Search
from quilt_mcp_platform.writing import WritePath


class PlatformOps(WritePath, QuiltOps):
    """Quilt registries (the catalog's buckets) read and written through one catalog client.

    ``client`` carries the user's token; ``registries`` are the configured
    registries (``QUILT_MCP_REGISTRIES``), listed after the catalog's buckets.
    """

    backend_name = INFO.name
    capabilities = INFO.capabilities

    def __init__(self, client: CatalogClient, *, registries: Sequence[str] = ()) -> None:
        self.client = client
        self.registries = tuple(parse_registry(r).uri for r in registries)
        self._s3: Any = None
        self._s3_lock = threading.Lock()
        self.objects = S3Objects(self._s3_client)
        self.revisions = Revisions(client, lambda: self.objects)
        self.search = Search(client)

    def __repr__(self) -> str:
        return f"PlatformOps({self.client!r})"

    def _s3_client(self) -> Any:
        """The S3 client on the registry's STS credentials, made on first use (botocore renews them)."""
        with self._s3_lock:
            if self._s3 is None:
                self._s3 = refreshable_session(self.client).client("s3")
            return self._s3

    def _revision(self, registry: RegistryLocation, name: str, ref: str) -> tuple[str, RevisionIndex]:
        """The full hash ``ref`` names and its entries (a full hash needs no header query)."""
        top_hash = ref if FULL_HASH.match(ref) else self.revisions.header(registry, name, ref).top_hash
        return top_hash, self.revisions.index(registry, name, top_hash)

    def _entry(self, registry: RegistryLocation, name: str, logical_key: str, ref: str) -> Entry:
        top_hash, index = self._revision(registry, name, ref)
        entry = index.find(logical_key)
        if entry is None:
            raise NotFoundError(
                f"{logical_key!r} is not in {name}@{top_hash[:10]}.", "Browse the package to see its logical keys."
            )
        return entry

    # Packages: reading -------------------------------------------------

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str, cursor: str | None, limit: int
    ) -> Page[PackageSummary]:
        number = _page_number(cursors.decode("packages", cursor), cursor, limit)
        request = operations.packages(registry.bucket, name_filter=prefix or None, number=number, per_page=limit)
        page = results.parse_packages(self.client.execute(request))
        if page is None:
            raise _no_bucket(registry)
        items = [PackageSummary(name=p.name, registry=registry.uri) for p in page.packages if p.name.startswith(prefix)]
        more = number * limit < page.total
        return Page(items=items, next_cursor=cursors.encode("packages", f"{limit}:{number + 1}") if more else None)

    def _list_revisions(
        self, registry: RegistryLocation, name: str, *, cursor: str | None, limit: int
    ) -> Page[Revision]:
        number = _page_number(cursors.decode("revisions", cursor), cursor, limit)
        page = self.revisions.page(registry.bucket, name, number, limit)
        if page is None:
            raise _package_missing(name, registry)
        items = [Revision(top_hash=r.hash, timestamp=when(r.modified)) for r in page.revisions]
        more = number * limit < page.total
        return Page(items=items, next_cursor=cursors.encode("revisions", f"{limit}:{number + 1}") if more else None)

    def _resolve_revision(self, registry: RegistryLocation, name: str, ref: str) -> str:
        return self.revisions.header(registry, name, ref).top_hash

    def _package_info(self, registry: RegistryLocation, name: str, ref: str) -> PackageInfo:
        header = self.revisions.header(registry, name, ref)
        count, size = header.total_entries, header.total_bytes
        if count is None or size is None:
            index = self.revisions.index(registry, name, header.top_hash)
            count, size = len(index), index.total_bytes
        return PackageInfo(
            name=name,
            registry=registry.uri,
            top_hash=header.top_hash,
            message=header.message,
            user_meta=header.user_meta,
            workflow=header.workflow,
            timestamp=header.modified,
            entry_count=count,
            total_bytes=int(size),
        )

    def _browse(
        self,
        registry: RegistryLocation,
        name: str,
        ref: str,
        *,
        path: str,
        recursive: bool,
        cursor: str | None,
        limit: int,
        progress: Progress | None,
    ) -> BrowsePage:
        resume = cursors.decode("browse", cursor)
        if progress:
            progress(0, None, f"Reading the entries of {name}")
        top_hash, index = self._revision(registry, name, ref)
        directory = path.rstrip("/")
        lo, hi = index.directory(directory)
        if directory and lo == hi:
            what = "a file" if index.find(directory) is not None else "not in the package"
            raise NotFoundError(
                f"{path!r} is {what}, not a directory of {name}@{top_hash[:10]}.",
                "Browse its parent directory, or use entry_info for a file.",
            )
        position = lo if resume is None else index.after(resume.rstrip("/"), lo, hi)
        prefix = directory + "/" if directory else ""
        rows: list[BrowseRow] = []
        while position < hi and len(rows) < limit:
            entry = index.entries[position]
            rest = entry.logical_key[len(prefix) :]
            if recursive or "/" not in rest:
                rows.append((entry.logical_key, entry.size, entry.hash.model_dump()))
                position += 1
            else:
                child = prefix + rest.split("/", 1)[0]
                end = index.after(child, position, hi)
                rows.append((child + "/", index.bytes_between(position, end), None))
                position = end
        if progress:
            progress(len(rows), len(rows), f"Listed {len(rows)} items")
        more = position < hi and bool(rows)
        return browse_page(
            rows,
            name=name,
            top_hash=top_hash,
            path=path,
            next_cursor=cursors.encode("browse", rows[-1][0]) if more else None,
        )

    def _entry_info(self, registry: RegistryLocation, name: str, logical_key: str, ref: str) -> Entry:
        return self._entry(registry, name, logical_key, ref)

    def _read_entry(
        self,
        registry: RegistryLocation,
        name: str,
        logical_key: str,
        ref: str,
        *,
        offset: int,
        max_bytes: int,
        mode: ReadMode,
    ) -> ReadResult:
        entry = self._entry(registry, name, logical_key, ref)
        where = parse_s3_uri(entry.physical_key, allow_empty_key=False)
        return self.objects.read(where, source=logical_key, offset=offset, max_bytes=max_bytes, mode=mode)

    def _entry_url(
        self, registry: RegistryLocation, name: str, logical_key: str, ref: str, *, expires_in: int
    ) -> PresignedUrl:
        entry = self._entry(registry, name, logical_key, ref)
        return self.objects.presign(parse_s3_uri(entry.physical_key, allow_empty_key=False), expires_in)

    def _diff(self, registry: RegistryLocation, name: str, before: str, after: str, *, limit: int) -> PackageDiff:
        old_header = self.revisions.header(registry, name, before)
        new_header = self.revisions.header(registry, name, after)
        old = self.revisions.index(registry, name, old_header.top_hash)
        new = self.revisions.index(registry, name, new_header.top_hash)
        return package_diff(
            name,
            DiffSide(old_header.top_hash, old_header.message, old_header.user_meta),
            DiffSide(new_header.top_hash, new_header.message, new_header.user_meta),
            compare(old, new),
            limit=limit,
        )

    def _search_packages(
        self, registry: RegistryLocation, needle: str, *, cursor: str | None, limit: int
    ) -> Page[SearchHit]:
        return self.search.page(registry.bucket, needle, cursor=cursor, limit=limit)

    # Buckets and objects -----------------------------------------------

    def _list_buckets(self) -> list[BucketInfo]:
        listed = results.parse_buckets(self.client.execute(operations.bucket_configs()))
        found = [BucketInfo(uri=f"s3://{b.name}", source="catalog") for b in listed]
        known = {b.uri for b in found}
        return found + [b for b in merge_buckets((), self.registries) if b.uri not in known]

    def _list_objects(self, uri: str, *, recursive: bool, cursor: str | None, limit: int) -> Page[ObjectInfo]:
        return self.objects.list_objects(uri, recursive=recursive, cursor=cursor, limit=limit)

    def _object_info(self, uri: str) -> ObjectInfo:
        return self.objects.object_info(uri)

    def _read_object(self, uri: str, *, offset: int, max_bytes: int, mode: ReadMode) -> ReadResult:
        return self.objects.read_object(uri, offset=offset, max_bytes=max_bytes, mode=mode)


def _page_number(after: str | None, cursor: str | None, limit: int) -> int:
    """The catalog's page number (pages of ``limit``) where the cursor ``size:number`` resumes.

    The catalog pages by number; a cursor made with another page size resumes
    at the same item when that item starts a page of ``limit``.
    """
    if after is None:
        return 1
    size, _, number = after.partition(":")
    if not (size.isdigit() and number.isdigit()) or int(size) < 1 or int(number) < 1:
        raise cursors.invalid(cursor or "")
    skipped = (int(number) - 1) * int(size)
    if skipped % limit:
        raise InvalidInputError(
            f"This cursor resumes after item {skipped}, which does not start a page of limit={limit}.",
            f"Pass limit={size} (the limit of the call that returned the cursor), or omit cursor to start over.",
        )
    return skipped // limit + 1


def _no_bucket(registry: RegistryLocation) -> NotFoundError:
    return NotFoundError(
        f"The catalog knows no registry {registry.uri} you may read.",
        "List the buckets (list_buckets) to see the registries your catalog role grants.",
    )


def _package_missing(name: str, registry: RegistryLocation) -> NotFoundError:
    return package_not_found(name, registry.uri)
