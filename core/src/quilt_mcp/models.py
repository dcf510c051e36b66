"""Domain models: what backends return and what MCP tools hand to clients.

One shape from backend to client: every ``QuiltOps`` method returns one of
these Pydantic models and the MCP tools return them unchanged, so clients get
an output schema and structured content.
"""

from __future__ import annotations

import base64
from datetime import datetime
from collections.abc import Iterable
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from quilt_mcp.names import MAX_KEY_BYTES

T = TypeVar("T")
MAX_LOGICAL_KEY = MAX_KEY_BYTES
"""Longest logical key, in characters, any tool accepts (writing and reading alike)."""
MAX_SOURCE = 2048

ReadMode = Literal["auto", "text", "bytes"]
"""How a read returns content: ``text`` (UTF-8, error if not text),
``bytes`` (base64), or ``auto`` (text when it decodes, else base64)."""


class Model(BaseModel):
    """Base for all domain models: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Page(Model, Generic[T]):
    """One page of a paginated listing.

    ``next_cursor`` is ``None`` on the last page; otherwise pass it back
    unchanged to get the next page. Cursors are opaque strings.
    """

    items: list[T]
    next_cursor: str | None = None


class PackageSummary(Model):
    """A package name in a registry."""

    name: str = Field(description="Package name, 'namespace/name'.")
    registry: str = Field(description="Registry URI: s3://bucket or file:///path.")


class Revision(Model):
    """One revision (timestamp pointer) of a package."""

    top_hash: str = Field(description="64-hex top hash of the manifest.")
    timestamp: datetime = Field(description="When the revision was pushed (UTC).")


class PackageInfo(Model):
    """Summary of one package revision."""

    name: str
    registry: str
    top_hash: str
    message: str | None = None
    user_meta: dict[str, Any] = Field(default_factory=dict)
    workflow: dict[str, Any] | None = None
    timestamp: datetime | None = Field(default=None, description="Push time, when known.")
    entry_count: int
    total_bytes: int


class EntryHash(Model):
    """Content hash of an entry as stored in the manifest."""

    type: str = Field(description="Hash algorithm, e.g. 'sha2-256-chunked' or 'SHA256'.")
    value: str


class Entry(Model):
    """One manifest entry."""

    logical_key: str
    physical_key: str = Field(description="Where the bytes live: s3://bucket/key?versionId=.. or file:///path.")
    size: int
    hash: EntryHash
    meta: dict[str, Any] = Field(default_factory=dict, description="The manifest's 'meta' object, verbatim.")

    @property
    def user_meta(self) -> dict[str, Any]:
        """User metadata (``meta['user_meta']``), or an empty dict."""
        value = self.meta.get("user_meta")
        return value if isinstance(value, dict) else {}


def _absent(value: Any) -> bool:
    return value is None


class BrowseItem(Model):
    """A file or a directory in a browse listing.

    Nothing the page states once is repeated here: a file's hash algorithm is
    the page's ``hash_type`` unless the item names its own; where a file's
    bytes live is ``entry_info``'s answer. Absent fields are left out.
    """

    path: str = Field(description="Logical key of a file, or a directory prefix ending in '/'.")
    kind: Literal["file", "directory"]
    size: int | None = Field(default=None, description="Bytes for files; total bytes below it for directories.")
    hash: str | None = Field(default=None, description="A file's hash value, of the page's hash_type.", exclude_if=_absent)
    hash_type: str | None = Field(
        default=None, description="This file's hash algorithm, only where it differs from the page's.", exclude_if=_absent
    )


class BrowsePage(Page[BrowseItem]):
    """A page of a package listing, with the revision it was read from."""

    name: str
    top_hash: str
    path: str = Field(default="", description="The directory that was browsed.")
    hash_type: str | None = Field(
        default=None, description="Hash algorithm of the files' hashes on this page, e.g. 'sha2-256-chunked'."
    )


BrowseRow = tuple[str, int | None, "dict[str, Any] | None"]
"""``(path, size, manifest hash {type, value} or None)``; a path ending in '/' is a directory."""


def browse_page(
    rows: Iterable[BrowseRow], *, name: str, top_hash: str, path: str, next_cursor: str | None
) -> BrowsePage:
    """The page of ``rows`` (already checked by the backend that read them), validated in one pass.

    Every backend builds its browse pages here: the page states the first
    file's hash algorithm once, and a file names its own only where it differs.
    The page is built from plain dicts by one ``model_validate`` (pydantic-core
    validates the whole list at once: several times faster than a
    ``model_construct`` per item, which runs Python code for every field); an
    item's absent fields are left out of its dict, which validates faster than
    ``None`` given.
    """
    items: list[dict[str, Any]] = []
    page_type: str | None = None
    for item_path, size, hashed in rows:
        if item_path.endswith("/"):
            items.append({"path": item_path, "kind": "directory", "size": size})
            continue
        item: dict[str, Any] = {"path": item_path, "kind": "file", "size": size}
        kind = None
        if hashed:
            kind, value = hashed.get("type"), hashed.get("value")
            if value is not None:
                item["hash"] = str(value)
            if kind is not None:
                kind = str(kind)
        if page_type is None:
            page_type = kind
        elif kind is not None and kind != page_type:
            item["hash_type"] = kind
        items.append(item)
    return BrowsePage.model_validate(
        {"items": items, "next_cursor": next_cursor, "name": name, "top_hash": top_hash, "path": path, "hash_type": page_type}
    )


class ReadResult(Model):
    """Bytes read from an entry or object, possibly cut at a byte limit."""

    source: str = Field(description="What was read: a logical key or an object URI.")
    offset: int = Field(description="Byte offset of the first returned byte.")
    length: int = Field(description="Number of bytes returned.")
    total_size: int = Field(description="Size of the whole entry or object in bytes.")
    truncated: bool = Field(description="True when bytes remain after offset+length.")
    encoding: Literal["utf-8", "base64"]
    content: str

    @classmethod
    def from_bytes(
        cls, source: str, data: bytes, *, offset: int, total_size: int, mode: ReadMode = "auto"
    ) -> ReadResult:
        """Build a result from raw bytes already cut to the byte limit.

        In ``text`` and ``auto`` modes an incomplete UTF-8 sequence at the
        cut is dropped, so the text never ends in a broken character, and one
        begun before ``offset`` is skipped (the result's ``offset`` says where the text starts).
        Raises ``InvalidInputError`` in ``text`` mode when the bytes are not UTF-8.
        """
        from quilt_mcp.errors import InvalidInputError

        if mode != "bytes":
            # An offset inside a character: its continuation bytes (at most 3) are skipped.
            skip = next((i for i, b in enumerate(data[:3]) if b & 0xC0 != 0x80), min(len(data), 3)) if offset else 0
            text = _decode_utf8_prefix(data[skip:], complete=offset + len(data) >= total_size)
            if text is not None:
                used = len(text.encode("utf-8"))
                return cls(
                    source=source,
                    offset=offset + skip,
                    length=used,
                    total_size=total_size,
                    truncated=offset + used < total_size,
                    encoding="utf-8",
                    content=text,
                )
            if mode == "text":
                raise InvalidInputError(
                    f"{source} is not UTF-8 text.", "Read it with mode='bytes' to get base64 content."
                )
        return cls(
            source=source,
            offset=offset,
            length=len(data),
            total_size=total_size,
            truncated=offset + len(data) < total_size,
            encoding="base64",
            content=base64.b64encode(data).decode("ascii"),
        )

    def data(self) -> bytes:
        """The returned bytes, decoded from ``content``."""
        return self.content.encode("utf-8") if self.encoding == "utf-8" else base64.b64decode(self.content)


def _decode_utf8_prefix(data: bytes, *, complete: bool) -> str | None:
    """Decode ``data`` as UTF-8, tolerating up to 3 cut bytes at the end unless ``complete``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if complete or err.start < len(data) - 3:
            return None
        try:
            return data[: err.start].decode("utf-8")
        except UnicodeDecodeError:
            return None


class PresignedUrl(Model):
    """A URL that fetches an entry or object without further credentials."""

    url: str
    expires_in: int | None = Field(default=None, description="Seconds the URL stays valid; None if it never expires.")


class EntryChange(Model):
    """An entry present in both revisions whose content or metadata differs."""

    logical_key: str
    before: Entry
    after: Entry


class PackageDiff(Model):
    """Differences between two revisions of a package (``before`` → ``after``).

    The lists are cut at the caller's limit; the counts are always complete.
    """

    name: str
    before: str = Field(description="Top hash of the base revision.")
    after: str = Field(description="Top hash of the compared revision.")
    added: list[str]
    removed: list[str]
    changed: list[EntryChange]
    added_count: int
    removed_count: int
    changed_count: int
    truncated: bool = Field(description="True when a list was cut at the limit.")
    message_before: str | None = None
    message_after: str | None = None
    user_meta_before: dict[str, Any] = Field(default_factory=dict)
    user_meta_after: dict[str, Any] = Field(default_factory=dict)

    @property
    def metadata_changed(self) -> bool:
        """True when the package-level user metadata differs."""
        return self.user_meta_before != self.user_meta_after


class SearchHit(Model):
    """A package revision that matched a search."""

    name: str
    top_hash: str
    matched: list[Literal["name", "message", "metadata"]]
    message: str | None = None
    user_meta: dict[str, Any] = Field(default_factory=dict)



class SearchPage(Page[SearchHit]):
    """A page of search hits, naming the packages skipped because their latest manifest is damaged."""

    skipped: list[str] = Field(default_factory=list, description="'name: why' of each package skipped.")

class EntrySource(Model):
    """One thing to put into a package revision.

    Exactly one of ``source`` and ``text`` is set. ``source`` is an
    ``s3://bucket/key`` object, an ``s3://bucket/prefix/`` (every object below
    it, placed under ``logical_key`` as a directory), or, for a local
    registry, a local file or directory path. ``text`` is inline UTF-8
    content stored as a new object.
    """

    logical_key: str = Field(
        description="Logical key in the package, e.g. 'data/table.csv'; a directory prefix for a source prefix.",
        max_length=MAX_LOGICAL_KEY,
    )
    source: str | None = Field(
        default=None,
        description="Where the content is now: s3://bucket/key, an s3://bucket/prefix/ (every object below it, "
        "placed under logical_key as a directory) or, for a local registry, a local file or directory path. "
        "Give either source or text.",
        max_length=MAX_SOURCE,
    )
    text: str | None = Field(
        default=None, description="Inline UTF-8 content, stored as a new object. Give either source or text."
    )
    meta: dict[str, Any] | None = Field(default=None, description="User metadata for the entry.")


class PushResult(Model):
    """The revision a write created."""

    name: str
    registry: str
    top_hash: str
    timestamp: datetime
    entry_count: int
    total_bytes: int
    previous_hash: str | None = Field(default=None, description="What 'latest' pointed to before, if anything.")


class DeleteResult(Model):
    """What a delete removed."""

    name: str
    registry: str
    deleted_revisions: list[Revision]
    latest: str | None = Field(description="Where 'latest' points now; None if the package is gone.")


class BucketInfo(Model):
    """A bucket or registry the current identity can reach."""

    uri: str = Field(description="s3://bucket or file:///path.")
    source: Literal["s3", "configured", "catalog"] = Field(
        description="Where it was found: the S3 bucket listing, QUILT_MCP_REGISTRIES, or the catalog."
    )


class ObjectInfo(Model):
    """An object (or, in a delimited listing, a common prefix)."""

    uri: str
    kind: Literal["object", "prefix"] = "object"
    size: int | None = None
    last_modified: datetime | None = None
    etag: str | None = None
    version_id: str | None = None
    content_type: str | None = None


class BackendInfo(Model):
    """Static description of one backend plugin."""

    name: str
    version: str
    priority: int = Field(description="Higher wins when several backends can authenticate.")
    capabilities: frozenset[str] = Field(
        description="What this backend can do (names from quilt_mcp.capabilities); its QuiltOps and its "
        "conformance harness take them from here."
    )
    summary: str
    setup_hint: str = Field(
        default="",
        description="One sentence on what a user configures so this backend can authenticate, "
        "shown when no backend can.",
    )
    multi_identity: bool = Field(
        default=False,
        description="True when one process can hold backends for several identities at once "
        "(required to serve many users over HTTP); False when its login is process-wide.",
    )
