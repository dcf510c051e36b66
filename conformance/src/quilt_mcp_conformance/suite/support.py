"""What the suites share: arranging test data and checking results against registry facts."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import pytest

from quilt_mcp.errors import QuiltMCPError
from quilt_mcp.models import EntryHash, EntrySource, Page
from quilt_mcp.ops import QuiltOps
from quilt_mcp.uris import parse_registry, parse_s3_uri

P = TypeVar("P", bound=Page)

CHUNK = 8 * 1024 * 1024
MAX_PAGES = 200


def texts(files: Mapping[str, str], meta: Mapping[str, dict[str, Any]] | None = None) -> list[EntrySource]:
    """Inline-text entry sources for ``{logical_key: text}``, with optional per-key user metadata."""
    meta = meta or {}
    return [EntrySource(logical_key=key, text=text, meta=meta.get(key)) for key, text in files.items()]


def put_objects(s3: Any, bucket: str, objects: Mapping[str, bytes], content_type: str | None = None) -> dict[str, str]:
    """Put ``{key: bytes}`` into ``bucket``; return each key's version id ("" when unversioned)."""
    versions = {}
    for key, body in objects.items():
        extra = {"ContentType": content_type} if content_type else {}
        reply = s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        versions[key] = reply.get("VersionId", "")
    return versions


def all_pages(fetch: Callable[[str | None], P], *, limit: int) -> list[P]:
    """Follow ``next_cursor`` from the first page to the last; every page must hold at most ``limit`` items."""
    pages: list[P] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        assert len(page.items) <= limit, f"a page holds {len(page.items)} items, more than limit={limit}"
        pages.append(page)
        if page.next_cursor is None:
            return pages
        assert len(pages) < MAX_PAGES, "pagination does not end"
        cursor = page.next_cursor


def paged_items(fetch: Callable[[str | None], P], *, limit: int) -> list[Any]:
    """Every item of every page, in order (see ``all_pages``)."""
    return [item for page in all_pages(fetch, limit=limit) for item in page.items]


def canonical(registry: str) -> str:
    """The canonical URI of a registry as results report it: ``s3://bucket`` or ``file:///abs/path``."""
    return parse_registry(registry).uri


def local_path(uri: str) -> Path:
    """The path of a ``file://`` URI."""
    parts = urlsplit(uri)
    assert parts.scheme == "file", f"{uri!r} is not a file:// URI"
    return Path(unquote(parts.path))


def stored_in(physical_key: str, registry: str) -> bool:
    """True when ``physical_key`` lies in ``registry``'s bucket or below its directory."""
    where = parse_registry(registry)
    if where.is_local:
        if not physical_key.startswith("file://"):
            return False
        return local_path(physical_key).resolve().is_relative_to(where.path)  # type: ignore[arg-type]
    return physical_key.startswith("s3://") and parse_s3_uri(physical_key).bucket == where.bucket


def expected_hash(hash_type: str, data: bytes) -> str:
    """The manifest hash value of ``data`` for ``hash_type`` as quilt3 computes it."""
    if hash_type == "sha2-256-chunked":
        parts = b"".join(hashlib.sha256(data[i : i + CHUNK]).digest() for i in range(0, len(data), CHUNK))
        return base64.b64encode(hashlib.sha256(parts).digest()).decode("ascii")
    if hash_type == "SHA256":
        return hashlib.sha256(data).hexdigest()
    if hash_type == "CRC64NVME":
        import awscrt.checksums

        return base64.b64encode(awscrt.checksums.crc64nvme(data).to_bytes(8, "big")).decode("ascii")
    raise AssertionError(f"unknown hash type {hash_type!r}; quilt3 knows sha2-256-chunked, SHA256 and CRC64NVME")


def assert_hash_of(entry_hash: EntryHash, data: bytes) -> None:
    """The entry hash must be the true hash of ``data``."""
    assert entry_hash.value == expected_hash(entry_hash.type, data), (
        f"{entry_hash.type} hash {entry_hash.value!r} is not the hash of the entry's bytes"
    )


def fetch(url: str) -> bytes:
    """The body at ``url`` (http(s) or file), fetched with no credentials."""
    with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - test URLs only
        return reply.read()


def assert_recent(when: datetime, *, within: timedelta = timedelta(minutes=10)) -> None:
    """``when`` is timezone-aware UTC and close to now (catches seconds/milliseconds mix-ups)."""
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0), f"{when!r} is not UTC-aware"
    now = datetime.now(timezone.utc)
    assert now - within <= when <= now + within, f"{when.isoformat()} is not close to now ({now.isoformat()})"


def assert_names_hashes(error: Exception, *hashes: str) -> None:
    """The error message names every hash (at least its first 8 hex characters)."""
    text = str(error)
    for top_hash in hashes:
        assert top_hash[:8] in text, f"the error does not name {top_hash}: {text}"


def revision_hashes(ops: QuiltOps, registry: str, name: str) -> list[str]:
    """Top hashes of every revision of ``name``, newest first."""
    return [rev.top_hash for rev in paged_items(lambda c: ops.list_revisions(registry, name, cursor=c), limit=100)]


def package_names(ops: QuiltOps, registry: str) -> list[str]:
    """Every package name in ``registry``."""
    return [p.name for p in paged_items(lambda c: ops.list_packages(registry, cursor=c), limit=100)]


def unused_hash(*known: str) -> str:
    """A well-formed 64-hex top hash that no hash in ``known`` starts with, even as a 6-character prefix."""
    return next(c * 64 for c in "0123456789abcdef" if not any(h.startswith(c) for h in known))


def fetch_physical(s3: Any, physical_key: str) -> bytes:
    """The bytes stored at a physical key (``s3://b/k?versionId=..`` or ``file://``), read directly."""
    if physical_key.startswith("file://"):
        return local_path(physical_key).read_bytes()
    where = parse_s3_uri(physical_key)
    extra = {"VersionId": where.version_id} if where.version_id else {}
    return s3.get_object(Bucket=where.bucket, Key=where.key, **extra)["Body"].read()


@dataclass(frozen=True)
class History:
    """Package ``name`` in ``registry`` and the top hashes of its revisions, oldest first."""

    registry: str
    name: str
    hashes: list[str]

    def listed(self, ops: QuiltOps) -> list[str]:
        """The top hashes ``ops`` lists for the package now, newest first."""
        return revision_hashes(ops, self.registry, self.name)


def push_chain(ops: QuiltOps, registry: str, name: str, revisions: Sequence[Mapping[str, str]]) -> list[str]:
    """Push one revision per ``{logical_key: text}``, each based on the one before; their top hashes, oldest first."""
    hashes: list[str] = []
    for files in revisions:
        base = hashes[-1] if hashes else None
        hashes.append(ops.create_revision(registry, name, texts(files), base_hash=base).top_hash)
    return hashes


@contextmanager
def refused(*errors: type[QuiltMCPError]) -> Iterator[pytest.ExceptionInfo[QuiltMCPError]]:
    """``pytest.raises(errors)``, and the error says what was wrong (``message``) and what to do (``hint``)."""
    with pytest.raises(errors) as caught:
        yield caught
    error = caught.value
    assert error.message.strip() and error.hint.strip(), f"{type(error).__name__} says no next step: {error}"


def top_hash_of(manifest: Sequence[Mapping[str, Any]]) -> str:
    """The top hash of a parsed manifest (header line first), computed as quilt3 does.

    sha256 over the header without ``top_hash``, then each entry's ``{hash, logical_key, meta, size}``
    in the order of ``logical_key.split('/')``, each JSON-encoded with sorted keys and no spaces.
    """
    header, *entries = manifest
    digest = hashlib.sha256(_canonical_json({k: v for k, v in header.items() if k != "top_hash"}))
    for entry in sorted(entries, key=lambda e: e["logical_key"].split("/")):
        fields = {"hash": entry["hash"], "logical_key": entry["logical_key"], "meta": entry.get("meta", {})}
        digest.update(_canonical_json(fields | {"size": entry["size"]}))
    return digest.hexdigest()


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


def registry_files(s3: Any, registry: str, prefix: str) -> dict[str, bytes]:
    """Every file below ``prefix`` in a registry (S3 bucket or local directory), by path relative to the registry."""
    where = parse_registry(registry)
    if where.is_local:
        root = where.path
        assert root is not None
        base = root / prefix
        paths = [base] if base.is_file() else base.rglob("*")
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()}
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=where.bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=where.bucket, Key=item["Key"])["Body"].read()
    return found
