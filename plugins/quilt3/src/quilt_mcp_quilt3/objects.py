"""What quilt3 does not offer, done with an S3 client from the boto3 session quilt3 provides.

Byte-range reads, presigned URLs, object listings and bucket listings: quilt3
only reads whole objects and lists whole prefixes, so these go straight to S3
with the login's credentials.
"""

from __future__ import annotations

from typing import Any

from quilt_mcp.errors import InvalidInputError, PermissionDeniedError
from quilt_mcp.models import ObjectInfo, Page, PresignedUrl, ReadMode, ReadResult
from quilt_mcp.names import validate_limit
from quilt_mcp.ops import MAX_PAGE, MAX_READ_BYTES, MAX_URL_SECONDS
from quilt_mcp.uris import S3Uri, as_directory, parse_s3_uri

from quilt_mcp_quilt3.errors import mapped_errors


def _version(uri: S3Uri) -> dict[str, str]:
    return {"VersionId": uri.version_id} if uri.version_id else {}


def read_bytes(
    s3: Any, uri: S3Uri, *, source: str, offset: int, max_bytes: int, total_size: int, mode: ReadMode
) -> ReadResult:
    """At most ``max_bytes`` of ``uri`` from ``offset`` (one ranged GET), as a ``ReadResult`` about ``source``."""
    if not isinstance(offset, int) or offset < 0 or offset > total_size:
        raise InvalidInputError(
            f"offset {offset!r} is outside {source} ({total_size} bytes).", f"Use an offset from 0 to {total_size}."
        )
    validate_limit(max_bytes, MAX_READ_BYTES, "max_bytes")
    data = b""
    if offset < total_size:
        end = min(offset + max_bytes, total_size) - 1
        with mapped_errors(f"Reading {uri.uri}"):
            body = s3.get_object(Bucket=uri.bucket, Key=uri.key, Range=f"bytes={offset}-{end}", **_version(uri))["Body"]
            data = body.read()
    return ReadResult.from_bytes(source, data, offset=offset, total_size=total_size, mode=mode)


def presign(s3: Any, uri: S3Uri, expires_in: int) -> PresignedUrl:
    """A presigned GET URL for ``uri`` valid for ``expires_in`` seconds."""
    validate_limit(expires_in, MAX_URL_SECONDS, "expires_in")
    with mapped_errors(f"Signing a URL for {uri.uri}"):
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": uri.bucket, "Key": uri.key, **_version(uri)}, ExpiresIn=expires_in
        )
    return PresignedUrl(url=url, expires_in=expires_in)


def object_info(s3: Any, uri: str) -> ObjectInfo:
    """HEAD of one object."""
    parsed = parse_s3_uri(uri, allow_empty_key=False)
    with mapped_errors(f"Reading {uri}"):
        head = s3.head_object(Bucket=parsed.bucket, Key=parsed.key, **_version(parsed))
    return ObjectInfo(
        uri=parsed.uri,
        size=head["ContentLength"],
        last_modified=head.get("LastModified"),
        etag=head.get("ETag"),
        version_id=head.get("VersionId"),
        content_type=head.get("ContentType"),
    )


def read_object(s3: Any, uri: str, *, offset: int, max_bytes: int, mode: ReadMode) -> ReadResult:
    """HEAD for the size, then one ranged GET."""
    info = object_info(s3, uri)
    parsed = parse_s3_uri(uri)
    total = info.size or 0
    return read_bytes(s3, parsed, source=parsed.uri, offset=offset, max_bytes=max_bytes, total_size=total, mode=mode)


def list_objects(s3: Any, uri: str, *, recursive: bool, cursor: str | None, limit: int) -> Page[ObjectInfo]:
    """One page of ``ListObjectsV2`` below ``uri``, read as a directory (``s3://b/dir`` lists ``dir/``);
    prefixes (sub-directories) too unless ``recursive``.

    The cursor is S3's continuation token.
    """
    validate_limit(limit, MAX_PAGE)
    parsed = parse_s3_uri(uri)
    if parsed.version_id:
        raise InvalidInputError(f"{uri} names an object version, not a prefix.", "Drop ?versionId= to list objects.")
    params: dict[str, Any] = {"Bucket": parsed.bucket, "Prefix": as_directory(parsed.key), "MaxKeys": limit}
    if not recursive:
        params["Delimiter"] = "/"
    if cursor:
        params["ContinuationToken"] = cursor
    with mapped_errors(f"Listing {uri}"):
        reply = s3.list_objects_v2(**params)
    items = [
        ObjectInfo(
            uri=S3Uri(parsed.bucket, obj["Key"]).uri,
            size=obj["Size"],
            last_modified=obj.get("LastModified"),
            etag=obj.get("ETag"),
        )
        for obj in reply.get("Contents", [])
    ]
    items += [
        ObjectInfo(uri=S3Uri(parsed.bucket, prefix["Prefix"]).uri, kind="prefix")
        for prefix in reply.get("CommonPrefixes", [])
    ]
    items.sort(key=lambda item: item.uri)
    return Page(items=items, next_cursor=reply.get("NextContinuationToken") if reply.get("IsTruncated") else None)


def bucket_names(s3: Any) -> list[str]:
    """Names of the buckets the credentials may list; empty if listing buckets is not allowed."""
    try:
        with mapped_errors("Listing buckets"):
            reply = s3.list_buckets()
    except PermissionDeniedError:  # a Quilt role often may not list buckets; that is not an error
        return []
    return sorted(bucket["Name"] for bucket in reply.get("Buckets", []))
