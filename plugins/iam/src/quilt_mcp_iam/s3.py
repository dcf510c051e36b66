"""``Storage`` on an S3 bucket through boto3 and the core kit's ``S3Objects``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlunparse

import botocore.exceptions
from quilt_mcp.errors import NotFoundError
from quilt_mcp.kit.s3objects import CONDITION_CODES, S3Objects, error_code, s3_errors
from quilt_mcp.s3_errors import NOT_FOUND_CODES
from quilt_mcp.uris import S3Uri

from quilt_mcp_iam.storage import (
    ConditionFailed,
    Listing,
    ObjectMeta,
    Storage,
    Tagged,
    StoredObject,
)

SPOOL_BYTES = 8 * 1024 * 1024
UNSUPPORTED_CONDITION_CODES = frozenset({"NotImplemented", "501"})

def s3_physical_key(bucket: str, key: str, version_id: str | None) -> str:
    """``s3://bucket/key?versionId=..`` quoted exactly as quilt3's ``PhysicalKey.__str__``."""
    params = urlencode({"versionId": version_id}) if version_id is not None else ""
    return urlunparse(("s3", bucket, quote("/" + key), None, params, None))


def object_meta(key: str, resp: dict[str, Any]) -> ObjectMeta:
    """An ``ObjectMeta`` from a HEAD/GET response or a listing item.

    A listing never carries checksum values: its item's checksum is known
    (to be absent) only when it lists the algorithms and SHA256 is not one.
    """
    listed = "Size" in resp
    algorithms = resp.get("ChecksumAlgorithm")
    return ObjectMeta(
        key=key,
        size=int(resp.get("ContentLength", resp.get("Size", 0))),
        last_modified=resp.get("LastModified"),
        etag=resp.get("ETag"),
        version_id=resp.get("VersionId") if resp.get("VersionId") not in (None, "null") else None,
        content_type=resp.get("ContentType"),
        checksum_sha256=resp.get("ChecksumSHA256"),
        checksum_known=not listed or (algorithms is not None and "SHA256" not in algorithms),
    )


class S3Storage(Storage):
    """One bucket, through a (thread-safe) boto3 S3 client."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket
        self.objects = S3Objects(lambda: client)

    def _where(self, key: str, version_id: str | None = None) -> S3Uri:
        return S3Uri(self.bucket, key, version_id)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}"

    def physical_key(self, key: str, version_id: str | None = None) -> str:
        return s3_physical_key(self.bucket, key, version_id)

    def _params(self, key: str, version_id: str | None = None, **extra: Any) -> dict[str, Any]:
        """Request parameters naming the object (and its version, if given)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, **extra}
        if version_id:
            params["VersionId"] = version_id
        return params

    def _get(self, key: str, version_id: str | None) -> dict[str, Any]:
        with s3_errors(self.physical_key(key, version_id)):
            return self.client.get_object(**self._params(key, version_id))

    def read(self, key: str, *, version_id: str | None = None) -> bytes:
        resp = self._get(key, version_id)
        with s3_errors(self.physical_key(key, version_id)):
            return resp["Body"].read()

    def read_tagged(self, key: str) -> Tagged | None:
        with s3_errors(self.physical_key(key)):
            try:
                resp = self.client.get_object(**self._params(key))
            except botocore.exceptions.ClientError as err:
                if error_code(err) in NOT_FOUND_CODES:  # the key is missing; a missing bucket is an error
                    return None
                raise
            return Tagged(resp["Body"].read(), resp["ETag"])

    def read_range(self, key: str, offset: int, length: int, *, version_id: str | None = None) -> tuple[bytes, int]:
        return self.objects.get_range(self._where(key, version_id), offset, length)

    def iter_chunks(self, key: str, *, version_id: str | None = None, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        resp = self._get(key, version_id)
        body = resp["Body"]
        try:
            with s3_errors(self.physical_key(key, version_id)):
                yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def head(self, key: str, *, version_id: str | None = None) -> ObjectMeta:
        return object_meta(key, self.objects.head(self._where(key, version_id), ChecksumMode="ENABLED"))

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except NotFoundError:
            return False
        return True

    def write(self, key: str, data: bytes, *, if_tag: str | None = None, if_absent: bool = False) -> StoredObject:
        params = self._params(key, Body=data, ChecksumAlgorithm="SHA256")
        if if_tag is not None:
            params["IfMatch"] = if_tag
        elif if_absent:
            params["IfNoneMatch"] = "*"
        with s3_errors(self.physical_key(key)):
            try:
                resp = self.client.put_object(**params)
            except botocore.exceptions.ClientError as err:
                code = error_code(err)
                if code in CONDITION_CODES:
                    raise ConditionFailed(key) from err
                if code in ("NoSuchKey", "404") and if_tag is not None:
                    raise ConditionFailed(key) from err  # the object we matched against is gone
                if code in UNSUPPORTED_CONDITION_CODES and (if_tag is not None or if_absent):
                    return self._write_checked(key, data, if_tag=if_tag, if_absent=if_absent)
                raise
        return StoredObject(resp.get("VersionId"), resp.get("ChecksumSHA256"))

    def _write_checked(self, key: str, data: bytes, *, if_tag: str | None, if_absent: bool) -> StoredObject:
        """Fallback for S3-compatible stores without conditional writes: re-read, compare, write."""
        current = self.read_tagged(key)
        if (if_absent and current is not None) or (if_tag is not None and (current is None or current.tag != if_tag)):
            raise ConditionFailed(key)
        return self.write(key, data)

    def write_stream(self, key: str, chunks: Iterable[bytes]) -> StoredObject:
        """Spooled to disk past ``SPOOL_BYTES``, then one PUT (S3 takes up to 5 GB), so the version is known."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            with s3_errors(self.physical_key(key)):
                resp = self.client.put_object(**self._params(key, Body=spool, ChecksumAlgorithm="SHA256"))
        return StoredObject(resp.get("VersionId"), resp.get("ChecksumSHA256"))

    def copy_from(self, source: Storage, key: str, version_id: str | None, dest_key: str) -> StoredObject:
        """Server-side copy (objects up to 5 GB) from an S3 ``source``, with a SHA256 checksum; else streamed."""
        if not source.uri.startswith("s3://"):
            return self.write_stream(dest_key, source.iter_chunks(key, version_id=version_id))
        copied: dict[str, str] = {"Bucket": source.uri.removeprefix("s3://"), "Key": key}
        if version_id:
            copied["VersionId"] = version_id
        with s3_errors(source.physical_key(key, version_id)):
            resp = self.client.copy_object(CopySource=copied, Bucket=self.bucket, Key=dest_key, ChecksumAlgorithm="SHA256")
        result = resp.get("CopyObjectResult", {})
        return StoredObject(resp.get("VersionId"), result.get("ChecksumSHA256"))

    def delete(self, key: str, *, if_tag: str | None = None) -> None:
        params = self._params(key) if if_tag is None else self._params(key, IfMatch=if_tag)
        with s3_errors(self.physical_key(key)):
            try:
                self.client.delete_object(**params)
            except botocore.exceptions.ClientError as err:
                if if_tag is not None and error_code(err) in (*CONDITION_CODES, "NoSuchKey", "404"):
                    raise ConditionFailed(key) from err
                if if_tag is not None and error_code(err) in UNSUPPORTED_CONDITION_CODES:
                    current = self.read_tagged(key)
                    if current is None or current.tag != if_tag:
                        raise ConditionFailed(key) from err
                    self.delete(key)
                    return
                raise

    def list(
        self,
        prefix: str,
        *,
        delimiter: str | None = None,
        start_after: str | None = None,
        token: str | None = None,
        max_keys: int = 1000,
    ) -> Listing:
        resp = self.objects.list_page(
            self.bucket, prefix, delimiter=delimiter, token=token, start_after=start_after, max_keys=max_keys
        )
        return Listing(
            objects=[object_meta(item["Key"], item) for item in resp.get("Contents", ())],
            prefixes=[item["Prefix"] for item in resp.get("CommonPrefixes", ())],
            next_token=resp.get("NextContinuationToken") if resp.get("IsTruncated") else None,
        )

    def iter_latest_versions(self, prefix: str) -> Iterator[ObjectMeta]:
        """The current version of every object below ``prefix`` (as quilt3's ``set_dir`` lists them)."""
        paginator = self.client.get_paginator("list_object_versions")
        with s3_errors(f"s3://{self.bucket}/{prefix}"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Versions", ()):
                    if item.get("IsLatest"):
                        yield object_meta(item["Key"], item)

    def presign(self, key: str, *, version_id: str | None, expires_in: int) -> tuple[str, int | None]:
        signed = self.objects.presign(self._where(key, version_id), expires_in)
        return signed.url, signed.expires_in
