"""``sha2-256-chunked``: streamed, or taken from S3's ``ChecksumSHA256`` when it implies the same value."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from quilt_mcp.errors import InvalidInputError

from quilt_mcp.errors import PermissionDeniedError
from quilt_mcp.models import EntrySource
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam.hashing import PART_SIZE, from_s3_checksum, hash_bytes, hash_chunks, part_size
from quilt_mcp_iam.ops import IamOps
from quilt_mcp_iam.s3 import S3Storage
from quilt_mcp_iam.storage import ObjectMeta

from .support import recorded

MIB = 1024 * 1024


def reference(data: bytes, part: int = PART_SIZE) -> str:
    """The definition: base64(sha256(concatenated sha256 digests of the parts)); no parts for no bytes."""
    digests = b"".join(hashlib.sha256(data[i : i + part]).digest() for i in range(0, len(data), part))
    return base64.b64encode(hashlib.sha256(digests).digest()).decode()


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@pytest.mark.parametrize("size", [0, 1, 1000, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 2 * PART_SIZE + 5])
def test_streamed_hash_matches_the_definition_whatever_the_chunking(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    expected = reference(data)
    assert hash_bytes(data) == expected
    assert hash_chunks((data[i : i + 1_000_003] for i in range(0, size, 1_000_003)), size) == expected


def test_part_size_doubles_above_ten_thousand_parts() -> None:
    assert part_size(10_000 * PART_SIZE) == PART_SIZE
    assert part_size(10_000 * PART_SIZE + 1) == 2 * PART_SIZE
    assert part_size(40_001 * PART_SIZE) == 8 * PART_SIZE


def test_a_stream_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="changed while it was read"):
        hash_chunks([b"abc"], 4)


def test_single_part_s3_checksums_convert_to_the_chunked_hash() -> None:
    for data in (b"", b"hello", b"z" * PART_SIZE):
        assert from_s3_checksum(b64(hashlib.sha256(data).digest()), len(data)) == reference(data)
    too_big = PART_SIZE + 1  # S3 hashed one part, quilt3 would hash two: no shortcut
    assert from_s3_checksum(b64(hashlib.sha256(b"q" * too_big).digest()), too_big) is None


def test_multipart_s3_checksums_are_trusted_only_with_quilt3s_part_count() -> None:
    size = 2 * PART_SIZE + 10
    data = b"m" * size
    composite = reference(data)
    assert from_s3_checksum(f"{composite}-3", size) == composite
    assert from_s3_checksum(f"{composite}-2", size) is None
    assert from_s3_checksum("not base64!", 10) is None
    assert from_s3_checksum(None, 10) is None


def test_s3s_checksum_of_a_real_upload_gives_the_streamed_hash(infra: Infrastructure, source_bucket: str) -> None:
    data = b"checksum me " * 10_000
    infra.s3_client().put_object(Bucket=source_bucket, Key="k", Body=data, ChecksumAlgorithm="SHA256")
    storage = S3Storage(infra.s3_client(), source_bucket)
    head = storage.head("k")
    assert head.checksum_sha256 is not None
    assert from_s3_checksum(head.checksum_sha256, head.size) == hash_chunks(storage.iter_chunks("k"), head.size)
    assert from_s3_checksum(head.checksum_sha256, head.size) == reference(data)


def test_prefix_objects_with_s3_checksums_are_not_downloaded_to_hash(
    ops: IamOps, infra: Infrastructure, s3_registry: str, source_bucket: str
) -> None:
    """A listing does not carry checksums: the backend asks S3 for them instead of reading the bytes."""
    s3 = infra.s3_client()
    for n in range(3):
        s3.put_object(Bucket=source_bucket, Key=f"sums/{n}.bin", Body=bytes([n]) * 1000, ChecksumAlgorithm="SHA256")
    s3.put_object(Bucket=source_bucket, Key="sums/plain.bin", Body=b"no checksum")
    with recorded(ops.s3_client, "GetObject", bucket=source_bucket) as reads:
        ops.create_revision(
            s3_registry, "sums/pkg", [EntrySource(logical_key="", source=f"s3://{source_bucket}/sums/")]
        )
    assert [r["Key"] for r in reads] == ["sums/plain.bin"]
    for n in range(3):
        assert ops.entry_info(s3_registry, "sums/pkg", f"{n}.bin").hash.value == reference(bytes([n]) * 1000)


class NoVersionListing(S3Storage):
    """A bucket policy without s3:ListBucketVersions (moto grants everything, so it is injected)."""

    def iter_latest_versions(self, prefix: str) -> Iterator[ObjectMeta]:
        raise PermissionDeniedError("Access denied to ListObjectVersions.", "injected")
        yield  # pragma: no cover


def test_prefixes_without_version_listing_rights_are_still_pinned_to_versions(
    s3_client: Any, infra: Infrastructure, s3_registry: str, source_bucket: str
) -> None:
    class Ops(IamOps):
        def s3(self, bucket: str) -> S3Storage:
            return NoVersionListing(self.s3_client, bucket) if bucket == source_bucket else super().s3(bucket)

    reply = infra.s3_client().put_object(Bucket=source_bucket, Key="p/a.txt", Body=b"a", ChecksumAlgorithm="SHA256")
    ops = Ops(lambda: s3_client)
    ops.create_revision(s3_registry, "nover/pkg", [EntrySource(logical_key="d/", source=f"s3://{source_bucket}/p/")])
    entry = ops.entry_info(s3_registry, "nover/pkg", "d/a.txt")
    assert entry.physical_key == f"s3://{source_bucket}/p/a.txt?versionId={reply['VersionId']}"
    assert entry.hash.value == reference(b"a")
