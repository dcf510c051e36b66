"""The MCP tools: one for every ``QuiltOps`` operation, plus ``auth_status`` and ``package_links``.

Each tool is a method of ``QuiltTools`` marked with ``@tool``; they are
registered, and listed, in the order they are defined here. A tool that
exposes an operation names it in its ``_meta`` (``quilt_mcp.operation``),
which is how a test proves every operation has a tool. Tools whose
operation is in ``WRITE_OPERATIONS`` are left out in read-only mode.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio
from fastmcp import Context, FastMCP
from fastmcp.tools import Tool

from quilt_mcp.errors import QuiltMCPError
from quilt_mcp.local_sources import check_allowed
from quilt_mcp.models import (
    EntrySource,
    BrowsePage,
    DeleteResult,
    Entry,
    ObjectInfo,
    PackageDiff,
    PackageInfo,
    PackageSummary,
    Page,
    PresignedUrl,
    PushResult,
    ReadResult,
    Revision,
    SearchPage,
)
from quilt_mcp.names import validate_logical_key, validate_package_name
from quilt_mcp.ops import DEFAULT_PAGE, DEFAULT_READ_BYTES, QuiltOps
from quilt_mcp.server.args import (
    AddArg,
    BaseHashArg,
    CopyArg,
    CursorArg,
    DiffLimitArg,
    DirectoryArg,
    EntriesArg,
    ExpiresArg,
    ForceArg,
    LimitArg,
    LogicalKeyArg,
    MaxBytesArg,
    MessageArg,
    MetaModeArg,
    NameArg,
    NamePrefixArg,
    ObjectUriArg,
    OffsetArg,
    PrefixUriArg,
    QueryArg,
    ReadModeArg,
    RecursiveArg,
    RefArg,
    RegistryArg,
    RemoveArg,
    UserMetaArg,
)
from quilt_mcp.server.backend import BackendSession
from quilt_mcp.server.errors import reports_errors
from quilt_mcp.server.links import package_links
from quilt_mcp.server.output import diff_notice, page_notice, read_notice, with_notice
from quilt_mcp.server.progress import bridge
from quilt_mcp.server.results import AuthStatus, BucketList, PackageLinks, ResolvedRevision, detection_of
from quilt_mcp.server.toolspec import META_KEY, ToolSpec, tool
from quilt_mcp.uris import parse_registry

T = TypeVar("T")

class QuiltTools:
    """The tool functions, bound to the server's backend session."""

    def __init__(self, session: BackendSession) -> None:
        self.session = session

    def specs(self) -> Iterator[tuple[ToolSpec, Callable[..., Awaitable[Any]]]]:
        """Every tool's spec and bound function, in definition order."""
        for attribute, value in type(self).__dict__.items():
            spec = getattr(value, "__tool_spec__", None)
            if spec is not None:
                yield spec, getattr(self, attribute)

    # Running operations -------------------------------------------------

    async def _call(self, work: Callable[[QuiltOps], T]) -> T:
        """``work(backend)`` in a worker thread (the backend's pipeline validates the arguments)."""
        return await self.session.call(work)

    def _registry(self, given: str | None) -> str:
        """The registry a tool acts on: ``given`` or the default."""
        return self.session.registry(given)

    def _check_local_sources(self, entries: list[EntrySource]) -> None:
        """Local sources only below the configured roots (none allowed over HTTP without roots)."""
        settings = self.session.settings
        check_allowed(entries, settings.local_source_roots, over_http=settings.transport == "http")

    async def _page(self, tool: str, work: Callable[[QuiltOps], Any]) -> Any:
        """``_call`` for a paged operation: the page, marked when more remain."""
        page = await self._call(work)
        return with_notice(page, page_notice(tool, page))

    # Packages: reading --------------------------------------------------

    @tool("list_packages", "List packages")
    async def package_list(
        self,
        prefix: NamePrefixArg = "",
        cursor: CursorArg = None,
        limit: LimitArg = DEFAULT_PAGE,
        registry: RegistryArg = None,
    ) -> Page[PackageSummary]:
        """List the packages in a registry, sorted by name, one page at a time.

        Returns names ('namespace/name'); pass next_cursor back to get the next page.
        """
        return await self._page(
            "package_list",
            lambda ops: ops.list_packages(self._registry(registry), prefix=prefix, cursor=cursor, limit=limit),
        )

    @tool("list_revisions", "List package revisions")
    async def package_revisions(
        self, name: NameArg, cursor: CursorArg = None, limit: LimitArg = DEFAULT_PAGE, registry: RegistryArg = None
    ) -> Page[Revision]:
        """List the revisions of a package, newest first: each top hash and when it was pushed."""
        return await self._page(
            "package_revisions",
            lambda ops: ops.list_revisions(self._registry(registry), name, cursor=cursor, limit=limit),
        )

    @tool("resolve_revision", "Resolve a revision")
    async def package_resolve(
        self, name: NameArg, ref: RefArg = "latest", registry: RegistryArg = None
    ) -> ResolvedRevision:
        """Turn 'latest' or a short hash prefix into the full 64-hex top hash of a package revision."""
        target, top_hash = await self._resolve(name, ref, registry)
        return ResolvedRevision(registry=target, name=name, ref=ref, top_hash=top_hash)

    @tool("package_info", "Package revision summary")
    async def package_info(self, name: NameArg, ref: RefArg = "latest", registry: RegistryArg = None) -> PackageInfo:
        """Summarise one package revision: top hash, message, user metadata, entry count and total size."""
        return await self._call(lambda ops: ops.package_info(self._registry(registry), name, ref))

    @tool("browse", "Browse a package")
    async def package_browse(
        self,
        name: NameArg,
        ctx: Context,
        ref: RefArg = "latest",
        path: DirectoryArg = "",
        recursive: RecursiveArg = False,
        cursor: CursorArg = None,
        limit: LimitArg = DEFAULT_PAGE,
        registry: RegistryArg = None,
    ) -> BrowsePage:
        """List the files and sub-directories (ending in '/') of a directory in a package revision.

        With recursive=true, lists every file below the directory instead. Sorted by path;
        pass next_cursor back to get the next page. Reports progress on large packages.
        """
        progress = bridge(ctx)
        return await self._page(
            "package_browse",
            lambda ops: ops.browse(
                self._registry(registry), name, ref, path=path, recursive=recursive, cursor=cursor, limit=limit,
                progress=progress,
            ),  # fmt: skip
        )

    @tool("entry_info", "Package entry details")
    async def entry_info(
        self, name: NameArg, logical_key: LogicalKeyArg, ref: RefArg = "latest", registry: RegistryArg = None
    ) -> Entry:
        """Show one entry of a package revision: where its bytes live, size, hash and metadata."""
        return await self._call(lambda ops: ops.entry_info(self._registry(registry), name, logical_key, ref))

    @tool("read_entry", "Read a package entry")
    async def entry_read(
        self,
        name: NameArg,
        logical_key: LogicalKeyArg,
        ref: RefArg = "latest",
        offset: OffsetArg = 0,
        max_bytes: MaxBytesArg = DEFAULT_READ_BYTES,
        mode: ReadModeArg = "auto",
        registry: RegistryArg = None,
    ) -> ReadResult:
        """Read the content of a package entry, at most max_bytes from offset.

        Text comes back as UTF-8, anything else as base64. When 'truncated' is true more bytes
        remain: call again with offset = offset + length.
        """
        result = await self._call(
            lambda ops: ops.read_entry(
                self._registry(registry), name, logical_key, ref, offset=offset, max_bytes=max_bytes, mode=mode
            )
        )
        return with_notice(result, read_notice("entry_read", result))

    @tool("entry_url", "Download URL of an entry")
    async def entry_url(
        self,
        name: NameArg,
        logical_key: LogicalKeyArg,
        ref: RefArg = "latest",
        expires_in: ExpiresArg = 3600,
        registry: RegistryArg = None,
    ) -> PresignedUrl:
        """Make a URL that downloads a package entry's bytes without further credentials (e.g. a presigned S3 URL)."""
        return await self._call(
            lambda ops: ops.entry_url(self._registry(registry), name, logical_key, ref, expires_in=expires_in)
        )

    @tool("diff", "Compare package revisions")
    async def package_diff(
        self,
        name: NameArg,
        before: RefArg,
        after: RefArg = "latest",
        limit: DiffLimitArg = DEFAULT_PAGE,
        registry: RegistryArg = None,
    ) -> PackageDiff:
        """Compare two revisions of a package: entries added, removed and changed, and metadata changes."""
        diff = await self._call(lambda ops: ops.diff(self._registry(registry), name, before, after, limit=limit))
        return with_notice(diff, diff_notice(diff))

    @tool("search_packages", "Search packages")
    async def package_search(
        self, query: QueryArg, cursor: CursorArg = None, limit: LimitArg = DEFAULT_PAGE, registry: RegistryArg = None
    ) -> SearchPage:
        """Find packages whose name, latest message or latest user metadata contain the query text."""
        return await self._page(
            "package_search",
            lambda ops: ops.search_packages(self._registry(registry), query, cursor=cursor, limit=limit),
        )

    # Packages: writing --------------------------------------------------

    @tool("create_revision", "Create a package revision", idempotent=False)
    async def package_create(
        self,
        name: NameArg,
        entries: EntriesArg,
        ctx: Context,
        message: MessageArg = None,
        user_meta: UserMetaArg = None,
        base_hash: BaseHashArg = None,
        force: ForceArg = False,
        copy: CopyArg = False,
        registry: RegistryArg = None,
    ) -> PushResult:
        """Push a new package revision holding exactly the given entries.

        Creates the package if it does not exist. If it does, pass its current top hash as
        base_hash (or force=true): a write that finds 'latest' moved is refused with both hashes,
        and nothing becomes visible. Reports progress while it stores many files.
        """
        progress = bridge(ctx)
        self._check_local_sources(entries)
        return await self._call(
            lambda ops: ops.create_revision(
                self._registry(registry), name, entries, message=message, user_meta=user_meta,
                base_hash=base_hash, force=force, copy=copy, progress=progress,
            )  # fmt: skip
        )

    @tool("update_revision", "Update a package", idempotent=False)
    async def package_update(
        self,
        name: NameArg,
        ctx: Context,
        add: AddArg = [],  # noqa: B006 - pydantic copies defaults
        remove: RemoveArg = [],  # noqa: B006
        user_meta: UserMetaArg = None,
        meta_mode: MetaModeArg = "merge",
        message: MessageArg = None,
        base_ref: RefArg = "latest",
        force: ForceArg = False,
        copy: CopyArg = False,
        registry: RegistryArg = None,
    ) -> PushResult:
        """Push a new revision derived from base_ref: add or replace entries, drop keys or directories,
        and merge or replace the package metadata.

        Refused with both hashes if 'latest' moved away from the base revision meanwhile (unless force).
        """
        progress = bridge(ctx)
        self._check_local_sources(add)
        return await self._call(
            lambda ops: ops.update_revision(
                self._registry(registry), name, base_ref=base_ref, add=add, remove=remove, user_meta=user_meta,
                meta_mode=meta_mode, message=message, force=force, copy=copy, progress=progress,
            )  # fmt: skip
        )

    @tool("delete_revision", "Delete a package revision", destructive=True, idempotent=False)
    async def revision_delete(self, name: NameArg, ref: RefArg, registry: RegistryArg = None) -> DeleteResult:
        """Delete one revision of a package; 'latest' then points to the newest remaining revision.

        Removes the revision's pointers only: its manifest and data stay in the bucket.
        """
        return await self._call(lambda ops: ops.delete_revision(self._registry(registry), name, ref))

    @tool("delete_package", "Delete a package", destructive=True)
    async def package_delete(self, name: NameArg, registry: RegistryArg = None) -> DeleteResult:
        """Delete a package: every revision pointer. Manifests and data stay in the bucket."""
        return await self._call(lambda ops: ops.delete_package(self._registry(registry), name))

    # Buckets and objects ------------------------------------------------

    @tool("list_buckets", "List buckets")
    async def bucket_list(self) -> BucketList:
        """List the S3 buckets this identity can list, and the configured registries."""
        return BucketList(items=await self._call(lambda ops: ops.list_buckets()))

    @tool("list_objects", "List S3 objects")
    async def object_list(
        self,
        uri: PrefixUriArg,
        recursive: RecursiveArg = False,
        cursor: CursorArg = None,
        limit: LimitArg = DEFAULT_PAGE,
    ) -> Page[ObjectInfo]:
        """List the objects (and, unless recursive, the sub-prefixes) below an S3 location."""
        return await self._page(
            "object_list", lambda ops: ops.list_objects(uri, recursive=recursive, cursor=cursor, limit=limit)
        )

    @tool("object_info", "S3 object details")
    async def object_info(self, uri: ObjectUriArg) -> ObjectInfo:
        """Show an S3 object's size, modification time, ETag, version and content type."""
        return await self._call(lambda ops: ops.object_info(uri))

    @tool("read_object", "Read an S3 object")
    async def object_read(
        self,
        uri: ObjectUriArg,
        offset: OffsetArg = 0,
        max_bytes: MaxBytesArg = DEFAULT_READ_BYTES,
        mode: ReadModeArg = "auto",
    ) -> ReadResult:
        """Read an S3 object, at most max_bytes from offset; text as UTF-8, anything else as base64.

        When 'truncated' is true more bytes remain: call again with offset = offset + length.
        """
        result = await self._call(lambda ops: ops.read_object(uri, offset=offset, max_bytes=max_bytes, mode=mode))
        return with_notice(result, read_notice("object_read", result))

    # The server's own tools ---------------------------------------------

    @tool(None, "Authentication status", open_world=False)
    async def auth_status(self) -> AuthStatus:
        """Show which backend the server uses, who it acts as, why it was chosen, and what every
        installed backend detected. Use it first when a tool reports an authentication problem."""
        session = self.session
        try:
            opened = await session.open()
        except QuiltMCPError as err:
            detections = await anyio.to_thread.run_sync(session.host.detect, session.context)
            return AuthStatus(
                ok=False,
                caller=session.caller_subject,
                read_only=session.settings.read_only,
                detections=[detection_of(d) for d in detections],
                problem=err.message,
                advice=err.hint or None,
            )
        selection = opened.selection
        return AuthStatus(
            ok=True,
            backend=opened.ops.backend_name,
            identity=selection.chosen.identity if selection else None,
            caller=session.caller_subject,
            reason=selection.reason if selection else "supplied by the application that built the server",
            capabilities=sorted(opened.ops.capabilities),
            default_registry=session.default_registry(),
            read_only=session.settings.read_only,
            detections=[detection_of(d) for d in selection.detections] if selection else [],
        )

    @tool(None, "Links to a package")
    async def package_links(
        self, name: NameArg, ref: RefArg = "latest", path: DirectoryArg = "", registry: RegistryArg = None
    ) -> PackageLinks:
        """Build the Quilt+ URI and catalog page URL of a package revision, or of an entry or directory
        inside it: both pinned to the revision's top hash and following 'latest'."""
        validate_package_name(name)
        validate_logical_key(path, directory=True)
        target, top_hash = await self._resolve(name, ref, registry)
        return package_links(target, name, top_hash, path, self.session.catalog_url())

    async def _resolve(self, name: str, ref: str, registry: str | None) -> tuple[str, str]:
        """The registry acted on (``registry`` or the default, in the canonical form every result uses:
        ``s3://bucket`` or ``file:///path``) and the full top hash ``ref`` names there."""
        await self.session.open()
        target = self._registry(registry)
        top_hash = await self._call(lambda ops: ops.resolve_revision(target, name, ref))
        return parse_registry(target).uri, top_hash


def register_tools(mcp: FastMCP, session: BackendSession) -> list[ToolSpec]:
    """Add every core tool to ``mcp`` (writing tools only when not read-only); return the specs added."""
    added = []
    for spec, fn in QuiltTools(session).specs():
        if spec.writes and session.settings.read_only:
            continue
        mcp.add_tool(
            Tool.from_function(
                reports_errors(spec.name, fn),
                name=spec.name,
                title=spec.title,
                description=inspect.getdoc(fn),
                annotations=spec.annotations(),
                meta={META_KEY: {"operation": spec.operation}},
            )
        )
        added.append(spec)
    return added

