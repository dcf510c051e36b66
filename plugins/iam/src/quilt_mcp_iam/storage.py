"""The storage interface a registry lives on: an S3 bucket or a local directory.

Keys are ``/``-separated and relative to the storage root (the bucket, or the
directory). Both implementations raise ``quilt_mcp.errors`` errors, never
library exceptions, except ``ConditionFailed`` for a lost conditional write.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar


class ConditionFailed(Exception):
    """A conditional write lost: the object changed (or appeared) since it was read."""


@dataclass(frozen=True)
class ObjectMeta:
    """What a HEAD (or a listing) tells about one object."""

    key: str
    size: int
    last_modified: datetime | None = None
    etag: str | None = None
    version_id: str | None = None
    content_type: str | None = None
    checksum_sha256: str | None = field(default=None, repr=False)
    """S3's ``ChecksumSHA256`` as returned (``b64`` or ``b64-<parts>``), when the object has one."""
    checksum_known: bool = True
    """False when ``checksum_sha256`` may be missing only because a listing does not report it."""


@dataclass(frozen=True)
class Listing:
    """One page of a listing: objects, common prefixes (with a delimiter), and where to go on."""

    objects: list[ObjectMeta]
    prefixes: list[str]
    next_token: str | None = None


@dataclass(frozen=True)
class Tagged:
    """An object's bytes and a tag to make a later write conditional on them."""

    data: bytes
    tag: str


@dataclass(frozen=True)
class StoredObject:
    """Where a write landed."""

    version_id: str | None = None
    checksum_sha256: str | None = field(default=None, repr=False)


class Storage(ABC):
    """A bucket or a directory holding objects addressed by key."""

    remote: ClassVar[bool] = True
    """Every call is a network request: worth making few of, and worth making in parallel."""
    keeps_versions: ClassVar[bool] = True
    """Overwriting a key keeps the old bytes reachable by version (S3 versioning), so a push may store an
    entry at its plain key; without it a push must never overwrite bytes an earlier revision names."""

    @property
    @abstractmethod
    def uri(self) -> str:
        """``s3://bucket`` or ``file:///path``."""

    @abstractmethod
    def physical_key(self, key: str, version_id: str | None = None) -> str:
        """The manifest physical key of ``key``, exactly as quilt3 spells it."""

    @abstractmethod
    def read(self, key: str, *, version_id: str | None = None) -> bytes:
        """The whole object; ``NotFoundError`` if absent."""

    @abstractmethod
    def read_tagged(self, key: str) -> Tagged | None:
        """The object and a tag for ``write(if_tag=...)``; ``None`` if absent."""

    @abstractmethod
    def read_range(self, key: str, offset: int, length: int, *, version_id: str | None = None) -> tuple[bytes, int]:
        """At most ``length`` bytes from ``offset``, and the object's total size."""

    @abstractmethod
    def iter_chunks(self, key: str, *, version_id: str | None = None, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object's bytes as a stream of chunks."""

    @abstractmethod
    def head(self, key: str, *, version_id: str | None = None) -> ObjectMeta:
        """Size, time, ETag, version and checksum; ``NotFoundError`` if absent."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """True if ``key`` is an object."""

    def can_hold(self, key: str) -> bool:
        """True if an object can be stored at ``key`` beside the objects already stored.

        Always on S3; on a file system, not where ``key`` is a directory or below a file.
        """
        return True

    @abstractmethod
    def write(self, key: str, data: bytes, *, if_tag: str | None = None, if_absent: bool = False) -> StoredObject:
        """Store ``data`` at ``key`` atomically.

        ``if_tag``: only if the object still has the tag ``read_tagged`` gave;
        ``if_absent``: only if there is no object. Otherwise ``ConditionFailed``.
        """

    @abstractmethod
    def write_stream(self, key: str, chunks: Iterable[bytes]) -> StoredObject:
        """Store the concatenated ``chunks`` at ``key`` without holding them all in memory."""

    @abstractmethod
    def copy_from(self, source: Storage, key: str, version_id: str | None, dest_key: str) -> StoredObject:
        """Copy object ``key`` (``version_id``) of ``source`` to ``dest_key`` here (server-side within S3)."""

    @abstractmethod
    def delete(self, key: str, *, if_tag: str | None = None) -> None:
        """Remove ``key``; no error if it is already gone. ``if_tag``: only if the object still has the
        tag ``read_tagged`` gave (``ConditionFailed`` if it changed or is gone)."""

    @abstractmethod
    def list(
        self,
        prefix: str,
        *,
        delimiter: str | None = None,
        start_after: str | None = None,
        token: str | None = None,
        max_keys: int = 1000,
    ) -> Listing:
        """Objects (and, with ``delimiter``, common prefixes) below ``prefix`` in key order."""

    @abstractmethod
    def presign(self, key: str, *, version_id: str | None, expires_in: int) -> tuple[str, int | None]:
        """A URL fetching the object, and how long it stays valid (``None``: forever)."""

    def iter_all(
        self, prefix: str, *, delimiter: str | None = None, start_after: str | None = None
    ) -> Iterator[Listing]:
        """Every page of ``list``."""
        token = None
        while True:
            page = self.list(prefix, delimiter=delimiter, start_after=start_after, token=token)
            yield page
            if not page.next_token:
                return
            token = page.next_token
