"""``QuiltOps``: the one typed interface every backend implements.

Every method takes plain arguments and returns a domain model from
``quilt_mcp.models``. Every failure is a ``quilt_mcp.errors`` error whose
message says what to do next. Methods are synchronous (backends use boto3 and
quilt3, which block); the server runs them in worker threads.

Common arguments:

- ``registry``: ``s3://bucket`` or, where the backend has the
  ``local_registry`` capability, ``file:///path`` or a plain path.
- ``name``: a package name ``namespace/name`` (``^[\\w-]+/[\\w-]+$``).
- ``ref``: ``"latest"``, a full 64-hex top hash, or a unique hash prefix of
  at least 6 hex characters.
- ``cursor``/``limit``: pagination; pass a page's ``next_cursor`` back
  unchanged. ``limit`` is at least 1.
- ``progress``: optional ``(done, total, message)`` callback for long work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Literal

from quilt_mcp import capabilities as cap
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

Progress = Callable[[float, float | None, str], None]
"""``progress(done, total, message)``; ``total`` is None when unknown."""

MetaMode = Literal["merge", "replace"]

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_READ_BYTES = 64 * 1024
MAX_READ_BYTES = 10 * 1024 * 1024
MAX_URL_SECONDS = 7 * 24 * 3600
"""The longest a presigned URL may stay valid (S3's limit for SigV4)."""


class QuiltOps(ABC):
    """Operations on Quilt registries, implemented by one backend.

    ``backend_name`` and ``capabilities`` describe this instance; an operation
    whose capability (see ``OPERATIONS``) is missing raises
    ``NotSupportedError``.
    """

    backend_name: str
    capabilities: frozenset[str]

    # Packages: reading -------------------------------------------------

    @abstractmethod
    def list_packages(
        self, registry: str, *, prefix: str = "", cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[PackageSummary]:
        """Package names in ``registry`` starting with ``prefix``, sorted by name."""

    @abstractmethod
    def list_revisions(
        self, registry: str, name: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[Revision]:
        """Revisions of ``name``, newest first. ``NotFoundError`` if the package does not exist."""

    @abstractmethod
    def resolve_revision(self, registry: str, name: str, ref: str = "latest") -> str:
        """The full top hash ``ref`` names.

        ``NotFoundError`` when nothing matches; ``InvalidInputError`` when a
        prefix is shorter than 6 characters, not hex, or matches several revisions.
        """

    @abstractmethod
    def package_info(self, registry: str, name: str, ref: str = "latest") -> PackageInfo:
        """Header, size and entry count of one revision."""

    @abstractmethod
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
        """

    @abstractmethod
    def entry_info(self, registry: str, name: str, logical_key: str, ref: str = "latest") -> Entry:
        """One entry of a revision. ``NotFoundError`` if the key is not in it."""

    @abstractmethod
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

    @abstractmethod
    def entry_url(
        self, registry: str, name: str, logical_key: str, ref: str = "latest", *, expires_in: int = 3600
    ) -> PresignedUrl:
        """A URL fetching the entry's bytes without further credentials."""

    @abstractmethod
    def diff(
        self, registry: str, name: str, before: str, after: str = "latest", *, limit: int = MAX_PAGE
    ) -> PackageDiff:
        """Entries added, removed and changed from ``before`` to ``after``, and header changes."""

    @abstractmethod
    def search_packages(
        self, registry: str, query: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[SearchHit]:
        """Packages whose name, latest message or latest user metadata contain ``query`` (case-insensitive)."""

    # Packages: writing -------------------------------------------------

    @abstractmethod
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

    @abstractmethod
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

    @abstractmethod
    def delete_revision(self, registry: str, name: str, ref: str) -> DeleteResult:
        """Remove the pointers of one revision; re-point ``latest`` to the newest remaining one."""

    @abstractmethod
    def delete_package(self, registry: str, name: str) -> DeleteResult:
        """Remove every pointer of a package. Manifests and data are kept."""

    # Buckets and objects -----------------------------------------------

    @abstractmethod
    def list_buckets(self) -> list[BucketInfo]:
        """Buckets the identity can list, then registries from settings, without duplicates."""

    @abstractmethod
    def list_objects(
        self,
        uri: str,
        *,
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> Page[ObjectInfo]:
        """Objects below ``uri`` (``s3://bucket/prefix``); one level (with prefixes) unless ``recursive``."""

    @abstractmethod
    def object_info(self, uri: str) -> ObjectInfo:
        """Size, time, ETag, version and content type of one object."""

    @abstractmethod
    def read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        """At most ``max_bytes`` of an object from ``offset``."""


OPERATIONS: dict[str, str] = {
    "list_packages": cap.READ,
    "list_revisions": cap.READ,
    "resolve_revision": cap.READ,
    "package_info": cap.READ,
    "browse": cap.READ,
    "entry_info": cap.READ,
    "read_entry": cap.READ,
    "entry_url": cap.PRESIGN,
    "diff": cap.READ,
    "search_packages": cap.SEARCH,
    "create_revision": cap.WRITE,
    "update_revision": cap.WRITE,
    "delete_revision": cap.DELETE,
    "delete_package": cap.DELETE,
    "list_buckets": cap.BUCKETS,
    "list_objects": cap.BUCKETS,
    "object_info": cap.BUCKETS,
    "read_object": cap.BUCKETS,
}
"""Every ``QuiltOps`` operation and the capability it needs."""

WRITE_OPERATIONS: frozenset[str] = frozenset(
    {"create_revision", "update_revision", "delete_revision", "delete_package"}
)
"""Operations that change a registry; hidden in read-only mode."""
