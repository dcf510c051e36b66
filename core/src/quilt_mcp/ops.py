"""``QuiltOps``: the one typed interface of every backend, and the call pipeline in front of it.

Callers (the server's tools, the conformance suite, applications) call the
public methods. Each one checks that the backend has the capability the
operation needs (``OPERATIONS``), validates every argument once with
``quilt_mcp.arguments`` (so a bad input gets the same message whichever
backend is chosen), and only then calls the protected method of the same name
with a leading underscore (``browse`` -> ``_browse``), which a backend
implements. Public methods are final by convention: backends never override
them.

Every method returns a domain model from ``quilt_mcp.models``. Every failure is a ``quilt_mcp.errors`` error whose
message says what to do next. Methods are synchronous (backends use boto3 and
quilt3, which block); the server runs them in worker threads.

Common arguments:

- ``registry``: ``s3://bucket`` or, where the backend has the
  ``local_registry`` capability, ``file:///path`` or a plain path.
- ``name``: a package name ``namespace/name`` (``^[\\w-]+/[\\w-]+$``).
- ``ref``: ``"latest"``, a full 64-hex top hash, or a unique hash prefix of
  at least 6 hex characters.
- ``cursor``/``limit``: pagination; pass a page's ``next_cursor`` back
  unchanged, with the same other arguments (a cursor belongs to the listing
  that returned it; ``limit`` may change). ``limit`` is at least 1.
- ``progress``: optional ``(done, total, message)`` callback for long work.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from quilt_mcp import arguments as check
from quilt_mcp.backend_methods import BackendMethods, MetaMode, Progress, unimplemented
from quilt_mcp.capabilities import OPERATIONS, WRITE_OPERATIONS
from quilt_mcp.cursors import Listing
from quilt_mcp.errors import ConflictError, InvalidInputError, NotFoundError, QuiltMCPError
from quilt_mcp.models import (
    BrowsePage,
    BucketInfo,
    DeleteResult,
    Entry,
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
from quilt_mcp.names import validate_logical_key, validate_package_name, validate_ref
from quilt_mcp.search import search_needle
from quilt_mcp.uris import RegistryLocation, parse_s3_uri

P = TypeVar("P", bound=Page[Any])

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_READ_BYTES = 64 * 1024
MAX_READ_BYTES = 10 * 1024 * 1024
MAX_URL_SECONDS = 7 * 24 * 3600
"""The longest a presigned URL may stay valid (S3's limit for SigV4)."""


class QuiltOps(BackendMethods, ABC):
    """Operations on Quilt registries: the pipeline, then one backend's implementation.

    ``backend_name`` and ``capabilities`` describe this instance (the
    plugin's ``BackendInfo`` declares the same capabilities). An operation
    whose capability (see ``OPERATIONS``) is missing raises
    ``NotSupportedError`` before anything else happens.

    A backend implements the ``_``-prefixed method of every operation its
    capabilities allow. They receive arguments already validated:
    ``registry`` as a parsed ``RegistryLocation`` (local only with
    ``local_registry``), names valid, refs lower-cased, logical keys valid,
    limits within 1..``MAX_PAGE``, offsets and ``max_bytes`` in bounds,
    search queries stripped and lower-cased, entry sources well formed.
    A ``_``-method of a capability the backend lacks is never called.

    Cursors: a backend receives only cursors it returned itself, for the same
    listing (and, for ``_browse``, with ``ref`` pinned to the full top hash of
    the first page); the pipeline binds every ``next_cursor`` to its listing.
    """

    backend_name: str
    capabilities: frozenset[str]

    def _needs(self, operation: str) -> None:
        check.require(self.backend_name, self.capabilities, OPERATIONS[operation])

    def _checked_registry(self, operation: str, registry: str) -> RegistryLocation:
        self._needs(operation)
        return check.registry(registry, self.backend_name, self.capabilities)

    def _checked_package(self, operation: str, registry: str, name: str) -> RegistryLocation:
        location = self._checked_registry(operation, registry)
        validate_package_name(name)
        return location

    @staticmethod
    def _paged(listing: Listing, cursor: str | None, fetch: Callable[[str | None], P]) -> P:
        """The page ``fetch`` returns for the backend cursor inside ``cursor``, its next cursor bound to ``listing``."""
        _, inner = listing.open(cursor)
        page = fetch(inner)
        return page.model_copy(update={"next_cursor": listing.bind(page.next_cursor)})

    def _pinned(self, location: RegistryLocation, name: str, ref: str, revision: str) -> str:
        """``revision``, the top hash a cursor's pages are read from, if ``ref`` still names it."""
        current = ref if len(ref) == 64 else self._resolve_revision(location, name, ref)
        if current == revision:
            return revision
        if ref == "latest":
            raise ConflictError(
                f"{name} in {location.uri} changed: latest is now {current}, "
                f"but the cursor pages revision {revision}.",
                f"Start over without cursor to page the new latest, or pass ref={revision!r} "
                "to go on paging the revision the cursor belongs to.",
            )
        raise InvalidInputError(
            f"The cursor belongs to revision {revision} of {name}, but ref {ref!r} names {current}.",
            f"Pass ref={revision!r} with this cursor, or omit cursor to start over.",
        )

    def _pushed(
        self, location: RegistryLocation, entries: list[EntrySource], push: Callable[[list[EntrySource]], PushResult]
    ) -> PushResult:
        """``push(entries)``; if a source was not found, once more with every bare prefix read as a directory.

        ``s3://b/raw``, where no object ``raw`` but objects below ``raw/``
        exist, means ``s3://b/raw/``. Only a failed push looks (a backend
        finds a missing source before it writes anything), so sources that
        exist cost nothing more.
        """
        try:
            return push(entries)
        except NotFoundError:
            widened = self._bare_prefixes_widened(entries)
            if widened is None:
                raise
        return push(check.sources(widened, location))

    def _bare_prefixes_widened(self, entries: list[EntrySource]) -> list[EntrySource] | None:
        """``entries`` with each S3 source naming a prefix without ``/`` given its ``/``; ``None`` if there was none."""
        if OPERATIONS["object_info"] not in self.capabilities:
            return None
        bare = [src.source is not None and self._is_bare_prefix(src.source) for src in entries]
        if not any(bare):
            return None
        return [src.model_copy(update={"source": f"{src.source}/"}) if b else src for src, b in zip(entries, bare)]

    def _is_bare_prefix(self, source: str) -> bool:
        """Whether ``source`` is an unversioned ``s3://`` URI whose key, not ending in ``/``, is no object but a prefix.

        A lookup that fails counts as not a prefix: the push's own error stands.
        """
        if not source.startswith("s3://"):
            return False
        where = parse_s3_uri(source)
        if not where.key or where.key.endswith("/") or where.version_id is not None:
            return False
        try:
            return self._object_info(source).kind == "prefix"
        except QuiltMCPError:
            return False

    # Packages: reading -------------------------------------------------

    def list_packages(
        self, registry: str, *, prefix: str = "", cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[PackageSummary]:
        """Package names in ``registry`` starting with ``prefix``, sorted by name."""
        location = self._checked_registry("list_packages", registry)
        check.text(prefix, "prefix")
        limit = check.limit(limit, MAX_PAGE)
        listing = Listing.of("list_packages", registry=location.uri, prefix=prefix)
        return self._paged(
            listing, cursor, lambda inner: self._list_packages(location, prefix=prefix, cursor=inner, limit=limit)
        )

    def list_revisions(
        self, registry: str, name: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[Revision]:
        """Revisions of ``name``, newest first. ``NotFoundError`` if the package does not exist."""
        location = self._checked_package("list_revisions", registry, name)
        limit = check.limit(limit, MAX_PAGE)
        listing = Listing.of("list_revisions", registry=location.uri, name=name)
        return self._paged(listing, cursor, lambda inner: self._list_revisions(location, name, cursor=inner, limit=limit))

    def resolve_revision(self, registry: str, name: str, ref: str = "latest") -> str:
        """The full top hash ``ref`` names.

        ``NotFoundError`` when nothing matches; ``InvalidInputError`` when a
        prefix is shorter than 6 characters, not hex, or matches several revisions.
        """
        location = self._checked_package("resolve_revision", registry, name)
        return self._resolve_revision(location, name, validate_ref(ref))

    def package_info(self, registry: str, name: str, ref: str = "latest") -> PackageInfo:
        """Header, size and entry count of one revision."""
        location = self._checked_package("package_info", registry, name)
        return self._package_info(location, name, validate_ref(ref))

    def browse(
        self,
        registry: str,
        name: str,
        ref: str = "latest",
        *,
        path: str = "",
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        progress: Progress | None = None,
    ) -> BrowsePage:
        """Entries below directory ``path`` (``""`` is the root), sorted by path.

        One level lists files and sub-directories (ending in ``/``);
        ``recursive`` lists every file below ``path``. ``NotFoundError`` if
        ``path`` is neither a directory nor the root.

        A cursor goes on paging the revision of the first page: if ``ref``
        names another revision by then (``latest`` moved), ``ConflictError``.
        """
        location = self._checked_package("browse", registry, name)
        ref = validate_ref(ref)
        validate_logical_key(path, directory=True)
        limit = check.limit(limit, MAX_PAGE)
        listing = Listing.of(
            "browse", registry=location.uri, name=name, path=path.rstrip("/"), recursive=bool(recursive)
        )
        revision, inner = listing.open(cursor)
        if revision is not None:
            ref = self._pinned(location, name, ref, revision)
        page = self._browse(
            location, name, ref, path=path, recursive=recursive, cursor=inner, limit=limit, progress=progress
        )
        return page.model_copy(update={"next_cursor": listing.bind(page.next_cursor, page.top_hash)})

    def entry_info(self, registry: str, name: str, logical_key: str, ref: str = "latest") -> Entry:
        """One entry of a revision. ``NotFoundError`` if the key is not in it."""
        location = self._checked_package("entry_info", registry, name)
        return self._entry_info(location, name, validate_logical_key(logical_key), validate_ref(ref))

    def read_entry(
        self,
        registry: str,
        name: str,
        logical_key: str,
        ref: str = "latest",
        *,
        offset: int = 0,
        max_bytes: int = DEFAULT_READ_BYTES,
        mode: ReadMode = "auto",
    ) -> ReadResult:
        """At most ``max_bytes`` of an entry from ``offset``; ``truncated`` says if more remain."""
        location = self._checked_package("read_entry", registry, name)
        logical_key, ref = validate_logical_key(logical_key), validate_ref(ref)
        offset, max_bytes = check.offset(offset), check.limit(max_bytes, MAX_READ_BYTES, "max_bytes")
        return self._read_entry(
            location, name, logical_key, ref, offset=offset, max_bytes=max_bytes, mode=check.read_mode(mode)
        )

    def entry_url(
        self, registry: str, name: str, logical_key: str, ref: str = "latest", *, expires_in: int = 3600
    ) -> PresignedUrl:
        """A URL fetching the entry's bytes without further credentials."""
        location = self._checked_package("entry_url", registry, name)
        logical_key, ref = validate_logical_key(logical_key), validate_ref(ref)
        expires_in = check.limit(expires_in, MAX_URL_SECONDS, "expires_in")
        return self._entry_url(location, name, logical_key, ref, expires_in=expires_in)

    def diff(
        self, registry: str, name: str, before: str, after: str = "latest", *, limit: int = MAX_PAGE
    ) -> PackageDiff:
        """Entries added, removed and changed from ``before`` to ``after``, and header changes."""
        location = self._checked_package("diff", registry, name)
        before, after = validate_ref(before), validate_ref(after)
        return self._diff(location, name, before, after, limit=check.limit(limit, MAX_PAGE))

    def search_packages(
        self, registry: str, query: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[SearchHit]:
        """Packages whose name, latest message or latest user metadata contain ``query`` (case-insensitive).

        A page may hold fewer than ``limit`` hits while ``next_cursor`` is set:
        follow it to the end.
        """
        location = self._checked_registry("search_packages", registry)
        limit = check.limit(limit, MAX_PAGE)
        needle = search_needle(query)
        listing = Listing.of("search_packages", registry=location.uri, query=needle)
        return self._paged(
            listing, cursor, lambda inner: self._search_packages(location, needle, cursor=inner, limit=limit)
        )

    # Packages: writing -------------------------------------------------

    def create_revision(
        self,
        registry: str,
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
        """Push a new revision holding exactly ``entries``.

        S3 sources keep their physical keys unless ``copy``; inline text (and
        local files) are stored in the registry. If the package exists,
        ``latest`` must equal ``base_hash`` (or the package must not exist
        when ``base_hash`` is None) unless ``force``: otherwise
        ``ConflictError`` naming both hashes, and nothing becomes visible.
        """
        location = self._checked_package("create_revision", registry, name)
        entries = check.sources(entries, location)
        message, user_meta = check.storable(message, "message"), check.storable(user_meta, "user_meta")
        base_hash = validate_ref(base_hash) if base_hash is not None else None
        return self._pushed(location, entries, lambda checked: self._create_revision(
            location, name, checked, message=message, user_meta=user_meta, base_hash=base_hash,
            force=force, copy=copy, progress=progress,
        ))  # fmt: skip

    def update_revision(
        self,
        registry: str,
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
        """Push a revision derived from ``base_ref``: add or replace ``add``, drop ``remove``
        (logical keys or directory prefixes ending in ``/``), and merge or replace user metadata.

        ``ConflictError`` naming both hashes if ``latest`` is no longer the
        base revision when the write lands, unless ``force``.
        """
        location = self._checked_package("update_revision", registry, name)
        base_ref, meta_mode = validate_ref(base_ref), check.meta_mode(meta_mode)  # type: ignore[assignment]
        remove, add = check.removals(remove), check.sources(add, location)
        message, user_meta = check.storable(message, "message"), check.storable(user_meta, "user_meta")
        return self._pushed(location, add, lambda checked: self._update_revision(
            location, name, base_ref=base_ref, add=checked, remove=remove, user_meta=user_meta, meta_mode=meta_mode,
            message=message, force=force, copy=copy, progress=progress,
        ))  # fmt: skip

    def delete_revision(self, registry: str, name: str, ref: str) -> DeleteResult:
        """Remove the pointers of one revision; re-point ``latest`` to the newest remaining one."""
        location = self._checked_package("delete_revision", registry, name)
        return self._delete_revision(location, name, validate_ref(ref))

    def delete_package(self, registry: str, name: str) -> DeleteResult:
        """Remove every pointer of a package. Manifests and data are kept."""
        return self._delete_package(self._checked_package("delete_package", registry, name), name)

    # Buckets and objects -----------------------------------------------

    def list_buckets(self) -> list[BucketInfo]:
        """Buckets the identity can list, then registries from settings, without duplicates."""
        self._needs("list_buckets")
        return self._list_buckets()

    def list_objects(
        self, uri: str, *, recursive: bool = False, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[ObjectInfo]:
        """Objects below ``uri`` (``s3://bucket/prefix``, read as a directory); one level (with
        prefixes) unless ``recursive``."""
        self._needs("list_objects")
        uri = check.prefix_uri(uri, self.capabilities)
        limit = check.limit(limit, MAX_PAGE)
        listing = Listing.of("list_objects", uri=uri.rstrip("/"), recursive=bool(recursive))
        return self._paged(
            listing, cursor, lambda inner: self._list_objects(uri, recursive=recursive, cursor=inner, limit=limit)
        )

    def object_info(self, uri: str) -> ObjectInfo:
        """Size, time, ETag, version and content type of one object."""
        self._needs("object_info")
        return self._object_info(check.object_uri(uri, self.capabilities))

    def read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        """At most ``max_bytes`` of an object from ``offset``."""
        self._needs("read_object")
        uri = check.object_uri(uri, self.capabilities)
        offset, max_bytes = check.offset(offset), check.limit(max_bytes, MAX_READ_BYTES, "max_bytes")
        return self._read_object(uri, offset=offset, max_bytes=max_bytes, mode=check.read_mode(mode))


__all__ = [
    "DEFAULT_PAGE", "DEFAULT_READ_BYTES", "MAX_PAGE", "MAX_READ_BYTES", "MAX_URL_SECONDS", "OPERATIONS",
    "WRITE_OPERATIONS", "MetaMode", "Progress", "QuiltOps", "unimplemented",
]  # fmt: skip
