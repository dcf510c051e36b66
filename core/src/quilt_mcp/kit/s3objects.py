"""S3 object access through any boto3 S3 client: list, head, ranged read, presign, and S3 errors.

``S3Objects`` takes a *client factory*, called for every request, so a backend
whose credentials expire (quilt3's session, STS credentials from a catalog)
hands out a client with fresh ones. botocore is imported only when an error
is translated, and only if a client has already loaded it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, ContextManager

from quilt_mcp.errors import AuthRequiredError, BackendUnavailableError, NotFoundError, PermissionDeniedError
from quilt_mcp.kit.reading import read_result
from quilt_mcp.models import ObjectInfo, Page, PresignedUrl, ReadMode, ReadResult
from quilt_mcp.s3_errors import s3_error
from quilt_mcp.uris import S3Uri, as_directory, parse_s3_uri

AUTH_HINT = "Configure AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an IAM role)."
DENIED_HINT = "Use credentials whose IAM policy allows this S3 action on the bucket."

TIMEOUT_HINT = (
    "Check the network and the S3 endpoint; a slow one may need longer timeouts "
    "(--s3-connect-timeout / QUILT_MCP_S3_CONNECT_TIMEOUT, --s3-read-timeout / QUILT_MCP_S3_READ_TIMEOUT)."
)

CONDITION_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})
"""Error codes of a conditional S3 write (If-Match / If-None-Match) that lost."""

ErrorScope = Callable[[str], ContextManager[None]]
"""``errors(what)``: a context turning library exceptions raised inside into domain errors about ``what``."""


def error_code(err: BaseException) -> str:
    """The S3 error code of a botocore ``ClientError`` ("" for anything else)."""
    response = getattr(err, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _botocore(name: str) -> type[BaseException]:
    module = sys.modules.get("botocore.exceptions")
    cls = getattr(module, name, None)
    return cls if isinstance(cls, type) else type(f"Unloaded{name}", (BaseException,), {})


@contextlib.contextmanager
def s3_errors(what: str, *, auth_hint: str = AUTH_HINT, denied_hint: str = DENIED_HINT) -> Iterator[None]:
    """Turn botocore exceptions raised inside into domain errors about ``what`` (e.g. ``s3://b/k``)."""
    try:
        yield
    except (_botocore("NoCredentialsError"), _botocore("PartialCredentialsError")) as err:
        raise AuthRequiredError(f"No AWS credentials to access {what}.", auth_hint) from err
    except _botocore("ClientError") as err:
        detail = str(err.response.get("Error", {}).get("Message") or err)  # type: ignore[attr-defined]
        raise s3_error(error_code(err), detail, what, auth_hint=auth_hint, denied_hint=denied_hint) from err
    except (_botocore("ConnectTimeoutError"), _botocore("ReadTimeoutError")) as err:
        raise BackendUnavailableError(f"S3 did not answer in time for {what}: {err}.", TIMEOUT_HINT) from err
    except _botocore("BotoCoreError") as err:
        raise BackendUnavailableError(
            f"Could not reach S3 for {what}: {err}.", "Check the network and the endpoint."
        ) from err


def version_params(version_id: str | None) -> dict[str, str]:
    """``{"VersionId": ...}`` when a version is given."""
    return {"VersionId": version_id} if version_id else {}


class S3Objects:
    """Object operations on S3 through ``client()`` (a boto3 S3 client, made or renewed per call).

    ``errors`` maps the client's exceptions to domain errors (default: ``s3_errors``).
    """

    def __init__(self, client: Callable[[], Any], *, errors: ErrorScope = s3_errors) -> None:
        self.client = client
        self.errors = errors

    def get_range(self, where: S3Uri, offset: int, length: int) -> tuple[bytes, int]:
        """At most ``length`` bytes of ``where`` from ``offset`` (one ranged GET) and the object's size."""
        if length <= 0:
            return b"", int(self.head(where)["ContentLength"])
        params = {"Bucket": where.bucket, "Key": where.key, "Range": f"bytes={offset}-{offset + length - 1}"}
        with self.errors(where.uri):
            try:
                reply = self.client().get_object(**params, **version_params(where.version_id))
            except _botocore("ClientError") as err:
                if error_code(err) != "InvalidRange":
                    raise
                # The range starts at or past the end (or the object is empty).
                return b"", int(self.head(where)["ContentLength"])
            content_range = reply.get("ContentRange") or ""
            total = int(content_range.rpartition("/")[2]) if "/" in content_range else int(reply["ContentLength"])
            return reply["Body"].read(), total

    def head(self, where: S3Uri, **extra: Any) -> dict[str, Any]:
        """The HEAD reply of ``where``."""
        with self.errors(where.uri):
            return self.client().head_object(
                Bucket=where.bucket, Key=where.key, **version_params(where.version_id), **extra
            )

    def presign(self, where: S3Uri, expires_in: int) -> PresignedUrl:
        """A presigned GET URL for ``where`` valid for ``expires_in`` seconds."""
        params = {"Bucket": where.bucket, "Key": where.key, **version_params(where.version_id)}
        with self.errors(f"signing a URL for {where.uri}"):
            url = self.client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return PresignedUrl(url=url, expires_in=expires_in)

    def list_page(
        self,
        bucket: str,
        prefix: str,
        *,
        delimiter: str | None = None,
        token: str | None = None,
        start_after: str | None = None,
        max_keys: int = 1000,
    ) -> dict[str, Any]:
        """One ``ListObjectsV2`` reply."""
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": max_keys}
        if delimiter:
            params["Delimiter"] = delimiter
        if token:
            params["ContinuationToken"] = token
        elif start_after:
            params["StartAfter"] = start_after
        with self.errors(f"s3://{bucket}/{prefix}"):
            return self.client().list_objects_v2(**params)

    # Whole operations, as QuiltOps returns them ------------------------------

    def object_info(self, uri: str) -> ObjectInfo:
        """HEAD of one object as an ``ObjectInfo``; a prefix that ``list_objects`` would show is one of ``kind`` prefix."""
        where = parse_s3_uri(uri, allow_empty_key=False)
        try:
            head = self.head(where)
        except NotFoundError:
            prefix = as_directory(where.key)
            if where.version_id is None and self.list_page(where.bucket, prefix, max_keys=1).get("KeyCount"):
                return ObjectInfo(uri=S3Uri(where.bucket, prefix).uri, kind="prefix")
            raise
        return ObjectInfo(
            uri=where.uri,
            size=head["ContentLength"],
            last_modified=head.get("LastModified"),
            etag=head.get("ETag"),
            version_id=head.get("VersionId"),
            content_type=head.get("ContentType"),
        )

    def read(self, where: S3Uri, *, source: str, offset: int, max_bytes: int, mode: ReadMode) -> ReadResult:
        """At most ``max_bytes`` of ``where`` from ``offset``, as a ``ReadResult`` about ``source``."""
        data, total = self.get_range(where, offset, max_bytes)
        return read_result(source, data, offset=offset, total_size=total, mode=mode)

    def read_object(self, uri: str, *, offset: int, max_bytes: int, mode: ReadMode) -> ReadResult:
        """At most ``max_bytes`` of the object ``uri`` from ``offset``."""
        where = parse_s3_uri(uri, allow_empty_key=False)
        return self.read(where, source=where.uri, offset=offset, max_bytes=max_bytes, mode=mode)

    def list_objects(self, uri: str, *, recursive: bool, cursor: str | None, limit: int) -> Page[ObjectInfo]:
        """One page of objects below ``uri`` read as a directory (``s3://b/dir`` lists ``dir/``), with
        sub-prefixes unless ``recursive``; the cursor is S3's continuation token."""
        where = parse_s3_uri(uri)
        reply = self.list_page(
            where.bucket, as_directory(where.key), delimiter=None if recursive else "/", token=cursor, max_keys=limit
        )
        items = [
            ObjectInfo(
                uri=S3Uri(where.bucket, obj["Key"]).uri,
                size=obj["Size"],
                last_modified=obj.get("LastModified"),
                etag=obj.get("ETag"),
            )
            for obj in reply.get("Contents", [])
        ]
        items += [
            ObjectInfo(uri=S3Uri(where.bucket, p["Prefix"]).uri, kind="prefix") for p in reply.get("CommonPrefixes", [])
        ]
        items.sort(key=lambda item: item.uri)
        return Page(items=items, next_cursor=reply.get("NextContinuationToken") if reply.get("IsTruncated") else None)

    def bucket_names(self) -> list[str]:
        """Names of the buckets the credentials may list; empty if listing buckets is not allowed."""
        try:
            with self.errors("the bucket list"):
                reply = self.client().list_buckets()
        except PermissionDeniedError:  # a Quilt role often may not list buckets; that is not an error
            return []
        return sorted(bucket["Name"] for bucket in reply.get("Buckets", []))
