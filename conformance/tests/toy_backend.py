"""A tiny backend that proves the harness works before real backends land (used by ``test_harness.py``).

``ToyOps`` implements only the bucket and object operations over boto3; its
``BackendInfo`` declares ``buckets``, so the call pipeline refuses every
package operation with ``NotSupportedError``. It is installed into a pytester
directory as the harness module ``toy_harness`` and offers two harnesses:
``toy-a`` claims what the backend declares; ``toy-b`` narrows that to
nothing, so the suite must skip everything but the capability checks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quilt_mcp import capabilities as cap
from quilt_mcp.errors import NotFoundError
from quilt_mcp.models import BackendInfo, BucketInfo, ObjectInfo, Page, ReadMode, ReadResult
from quilt_mcp.ops import (
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

    def _list_buckets(self) -> list[BucketInfo]:
        listed = [BucketInfo(uri=f"s3://{b['Name']}", source="s3") for b in self.s3.list_buckets()["Buckets"]]
        seen = {b.uri for b in listed}
        return listed + [BucketInfo(uri=uri, source="configured") for uri in self.registries if uri not in seen]

    def _list_objects(
        self, uri: str, *, recursive: bool, cursor: str | None, limit: int
    ) -> Page[ObjectInfo]:
        where = parse_s3_uri(uri)
        args: dict[str, Any] = {"Bucket": where.bucket, "Prefix": as_directory(where.key), "MaxKeys": limit}
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

    def _object_info(self, uri: str) -> ObjectInfo:
        where = parse_s3_uri(uri, allow_empty_key=False)
        below = self.s3.list_objects_v2(Bucket=where.bucket, Prefix=as_directory(where.key), MaxKeys=1)
        if not where.version_id and below.get("KeyCount"):
            return ObjectInfo(uri=S3Uri(where.bucket, as_directory(where.key)).uri, kind="prefix")
        where, _, head = self._head(uri)
        return ObjectInfo(
            uri=S3Uri(where.bucket, where.key).uri,
            size=head["ContentLength"],
            last_modified=head["LastModified"],
            etag=head["ETag"],
            version_id=head.get("VersionId"),
            content_type=head.get("ContentType"),
        )

    def _read_object(
        self, uri: str, *, offset: int, max_bytes: int, mode: ReadMode
    ) -> ReadResult:
        where, version, head = self._head(uri)
        size = head["ContentLength"]
        data = b""
        if offset < size:
            byte_range = f"bytes={offset}-{min(size, offset + max_bytes) - 1}"
            reply = self._call("get_object", uri, Bucket=where.bucket, Key=where.key, Range=byte_range, **version)
            data = reply["Body"].read()
        return ReadResult.from_bytes(uri, data, offset=offset, total_size=size, mode=mode)


class ToyOps(ToyObjects, QuiltOps):
    """The toy backend: objects only."""


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
