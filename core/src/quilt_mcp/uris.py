"""Parsing of registry and object URIs shared by the backends and the server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.names import has_lone_surrogate

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class RegistryLocation:
    """Where a registry lives: an S3 bucket or a local directory."""

    scheme: str  # "s3" or "file"
    bucket: str = ""
    path: Path | None = None

    @property
    def uri(self) -> str:
        """Canonical URI: ``s3://bucket`` or ``file:///abs/path``."""
        return f"s3://{self.bucket}" if self.scheme == "s3" else self.path.as_uri()  # type: ignore[union-attr]

    @property
    def is_local(self) -> bool:
        return self.scheme == "file"


def parse_registry(registry: str) -> RegistryLocation:
    """Parse ``s3://bucket``, ``file:///path`` or a plain local path.

    A plain path is made absolute. ``InvalidInputError`` for anything else,
    including an S3 URI with a key part.
    """
    if not isinstance(registry, str) or not registry.strip():
        raise InvalidInputError("No registry given.", "Pass s3://bucket or a local directory path.")
    registry = registry.strip()
    if "\x00" in registry or has_lone_surrogate(registry):
        raise InvalidInputError(
            f"Invalid registry {registry!r}: it holds a NUL or unpaired surrogate character.",
            "Pass s3://bucket or a local directory path.",
        )
    if registry.startswith("s3://"):
        bucket = registry[5:].rstrip("/")
        if "/" in bucket or not BUCKET_RE.match(bucket):
            raise InvalidInputError(
                f"Invalid registry {registry!r}.", "A registry is a bucket, e.g. s3://my-bucket, with no key after it."
            )
        return RegistryLocation("s3", bucket=bucket)
    if "://" in registry and not registry.startswith("file://"):
        raise InvalidInputError(
            f"Unsupported registry {registry!r}.", "Use s3://bucket, file:///path or a local directory path."
        )
    return RegistryLocation("file", path=_local_registry_path(registry))


def _local_registry_path(registry: str) -> Path:
    """The absolute directory a local registry names: absent (to be created) or a directory."""
    try:
        path = local_path(registry)
        if path.exists() and not path.is_dir():
            raise InvalidInputError(
                f"Registry {registry!r} is a file, not a directory.", "Pass a directory (or s3://bucket) as registry."
            )
    except OSError as err:
        raise InvalidInputError(
            f"Registry {registry!r} cannot be used as a directory: {err.strerror or err}.",
            "Pass an existing or creatable directory path (or s3://bucket) as registry.",
        ) from None
    return path


@dataclass(frozen=True)
class S3Uri:
    """``s3://bucket/key?versionId=...`` split into parts."""

    bucket: str
    key: str
    version_id: str | None = None

    @property
    def uri(self) -> str:
        base = f"s3://{self.bucket}/{quote(self.key, safe='/~')}"
        return f"{base}?versionId={quote(self.version_id, safe='')}" if self.version_id else base


def parse_s3_uri(uri: str, *, allow_empty_key: bool = True) -> S3Uri:
    """Parse an ``s3://`` URI, percent-decoding the key as quilt3 does.

    ``InvalidInputError`` if it is not an S3 URI or the bucket name is invalid.
    """
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise InvalidInputError(f"Not an S3 URI: {uri!r}.", "Use s3://bucket/key.")
    parts = urlsplit(uri)
    bucket = parts.netloc
    if not BUCKET_RE.match(bucket):
        raise InvalidInputError(f"Invalid bucket in {uri!r}.", "Use s3://bucket/key with a valid bucket name.")
    key = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
    if not key and not allow_empty_key:
        raise InvalidInputError(f"No object key in {uri!r}.", "Use s3://bucket/key.")
    if parts.fragment or uri.endswith("#"):
        raise InvalidInputError(
            f"{uri!r} holds a raw '#', which ends the key there.", "Write '#' in a key as %23 (and '?' as %3F)."
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    if set(query) - {"versionId"} or len(query.get("versionId", [])) > 1:
        raise InvalidInputError(
            f"Unexpected query {parts.query!r} in {uri!r}: only ?versionId= may follow an S3 key.",
            "Drop the query, or write a '?' that is part of the key as %3F.",
        )
    version = query.get("versionId", [None])[0]
    return S3Uri(bucket, key, version)


def as_directory(key: str) -> str:
    """``key`` read as a directory: ``""`` (the bucket root) stays, anything else ends in ``/``.

    ``list_objects("s3://b/dir")`` lists ``dir/`` in every backend.
    """
    return key if not key or key.endswith("/") else key + "/"


def file_uri_path(uri: str) -> Path:
    """The path of a ``file://`` URI; ``InvalidInputError`` for a remote host."""
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        raise InvalidInputError(f"Invalid file URI {uri!r}.", "Use file:///absolute/path.")
    return Path(unquote(parts.path))


def local_path(source: str) -> Path:
    """The absolute path a ``file://`` URI or a plain (possibly ``~``) path names, symlinks followed
    (both forms of one file give the same path)."""
    if "\x00" in source:
        raise InvalidInputError(f"Invalid path {source!r}: it holds a NUL character.", "Pass a local path.")
    if source.startswith("file://"):
        return file_uri_path(source).resolve()
    return Path(source).expanduser().resolve()
