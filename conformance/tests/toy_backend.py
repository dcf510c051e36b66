"""A tiny backend that proves the harness works before real backends land (used by ``test_harness.py``).

``ToyOps`` does bucket and object operations over boto3 and refuses every
package operation with ``NotSupportedError``; its ``BackendInfo`` declares
``buckets``. It is installed into a pytester directory as the harness module
``toy_harness`` and offers two harnesses: ``toy-a`` claims what the backend
declares; ``toy-b`` narrows that to nothing, so the suite must skip
everything but the capability checks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from quilt_mcp import capabilities as cap
from quilt_mcp.errors import NotFoundError, NotSupportedError
from quilt_mcp.models import BackendInfo, BucketInfo, ObjectInfo, Page, ReadMode, ReadResult
from quilt_mcp.names import validate_limit
from quilt_mcp.ops import (
    DEFAULT_PAGE,
    DEFAULT_READ_BYTES,
    MAX_PAGE,
    OPERATIONS,
    QuiltOps,
)
from quilt_mcp.uris import S3Uri, as_directory, parse_s3_uri
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure, hookimpl

MISSING = {"NoSuchBucket", "NoSuchKey", "NoSuchVersion", "404"}
TOY_INFO = BackendInfo(
    name="toy", version="0", priority=0, capabilities=frozenset({cap.BUCKETS}), summary="Buckets and objects only."
)


class ToyObjects:
    """The bucket and object half of ``QuiltOps`` over one boto3 client."""

    backend_name = TOY_INFO.name
    capabilities = TOY_INFO.capabilities

    def __init__(self, s3: Any, registries: Sequence[str] = ()) -> None:
        self.s3 = s3
        self.registries = registries

    def _call(self, method: str, what: str, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return getattr(self.s3, method)(**kwargs)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in MISSING:
                raise NotFoundError(f"{what} does not exist.", "Check the bucket and key.") from err
            raise

    def list_buckets(self) -> list[BucketInfo]:
        listed = [BucketInfo(uri=f"s3://{b['Name']}", source="s3") for b in self.s3.list_buckets()["Buckets"]]
        seen = {b.uri for b in listed}
        return listed + [BucketInfo(uri=uri, source="configured") for uri in self.registries if uri not in seen]

    def list_objects(
        self, uri: str, *, recursive: bool = False, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> Page[ObjectInfo]:
        where = parse_s3_uri(uri)
        args: dict[str, Any] = {"Bucket": where.bucket, "Prefix": as_directory(where.key), "MaxKeys": validate_limit(limit, MAX_PAGE)}
        if not recursive:
            args["Delimiter"] = "/"
        if cursor:
            args["ContinuationToken"] = cursor
        reply = self._call("list_objects_v2", uri, **args)
        prefixes = [
            ObjectInfo(uri=S3Uri(where.bucket, p["Prefix"]).uri, kind="prefix") for p in reply.get("CommonPrefixes", [])
        ]
        objects = [
            ObjectInfo(
                uri=S3Uri(where.bucket, o["Key"]).uri, size=o["Size"], last_modified=o["LastModified"], etag=o["ETag"]
            )
            for o in reply.get("Contents", [])
        ]
        return Page(items=prefixes + objects, next_cursor=reply.get("NextContinuationToken"))

    def _head(self, uri: str) -> tuple[S3Uri, dict[str, Any], dict[str, Any]]:
        where = parse_s3_uri(uri, allow_empty_key=False)
        version = {"VersionId": where.version_id} if where.version_id else {}
        return where, version, self._call("head_object", uri, Bucket=where.bucket, Key=where.key, **version)

    def object_info(self, uri: str) -> ObjectInfo:
        where, _, head = self._head(uri)
        return ObjectInfo(
            uri=S3Uri(where.bucket, where.key).uri,
            size=head["ContentLength"],
            last_modified=head["LastModified"],
            etag=head["ETag"],
            version_id=head.get("VersionId"),
            content_type=head.get("ContentType"),
        )

    def read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        where, version, head = self._head(uri)
        size = head["ContentLength"]
        data = b""
        if offset < size:
            byte_range = f"bytes={offset}-{min(size, offset + max_bytes) - 1}"
            reply = self._call("get_object", uri, Bucket=where.bucket, Key=where.key, Range=byte_range, **version)
            data = reply["Body"].read()
        return ReadResult.from_bytes(uri, data, offset=offset, total_size=size, mode=mode)


def _refusal(operation: str) -> Callable[..., Any]:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotSupportedError(
            f"The toy backend cannot {operation}.", "Use a real backend.", capability=OPERATIONS[operation]
        )

    return refuse


ToyOps: type[QuiltOps] = type(
    "ToyOps",
    (ToyObjects, QuiltOps),
    {op: _refusal(op) for op, need in OPERATIONS.items() if need != cap.BUCKETS},
)


class ToyHarness(BackendHarness):
    info = TOY_INFO

    def __init__(self, harness_id: str, without: frozenset[str] = frozenset()) -> None:
        self.id = harness_id
        self.without = without

    def open(self, infra: Infrastructure) -> QuiltOps:
        return ToyOps(infra.s3_client())

    def open_configured(self, infra: Infrastructure, registries: Sequence[str]) -> QuiltOps:
        return ToyOps(infra.s3_client(), registries)

    def new_registry(self, infra: Infrastructure) -> str:
        return f"s3://{infra.new_bucket()}"


@hookimpl
def quilt_mcp_conformance_harnesses() -> Sequence[BackendHarness]:
    return [ToyHarness("toy-a"), ToyHarness("toy-b", without=frozenset({cap.BUCKETS}))]
