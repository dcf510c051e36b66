"""Bucket and object tools through the in-memory client: iam on moto S3, both protocol eras."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastmcp import Client

from quilt_mcp.server import build_server

from .conftest import connect, iam_settings


@pytest.fixture
def bucket(infra: Any) -> str:
    """A bucket holding raw/a.csv, raw/b.csv, raw/deep/c.json and top.txt."""
    name = infra.new_bucket()
    s3 = infra.s3_client()
    for key, body in {
        "raw/a.csv": b"x,y\n1,2\n",
        "raw/b.csv": b"x,y\n3,4\n",
        "raw/deep/c.json": b'{"k": 1}',
        "top.txt": b"abcdefghij" * 30,
    }.items():
        s3.put_object(Bucket=name, Key=key, Body=body, ContentType="text/plain")
    return name


@pytest.fixture
async def client(bucket: str, protocol: str) -> AsyncIterator[Client]:
    """A client of a server whose default registry is ``bucket``."""
    async with connect(build_server(iam_settings(f"s3://{bucket}")), protocol) as session:
        yield session


async def test_bucket_list_shows_reachable_buckets_and_the_configured_registry(call, bucket):
    listed = await call("bucket_list")

    assert f"s3://{bucket}" in {b["uri"] for b in listed["items"]}


async def test_object_list_one_level_then_recursive_in_pages(client: Client, call, bucket):
    level = await call("object_list", uri=f"s3://{bucket}/raw/")
    page1 = await client.call_tool("object_list", {"uri": f"s3://{bucket}/raw/", "recursive": True, "limit": 2})
    cursor = page1.structured_content["next_cursor"]
    page2 = await call("object_list", uri=f"s3://{bucket}/raw/", recursive=True, limit=2, cursor=cursor)

    assert [(o["uri"], o["kind"]) for o in level["items"]] == [
        (f"s3://{bucket}/raw/a.csv", "object"),
        (f"s3://{bucket}/raw/b.csv", "object"),
        (f"s3://{bucket}/raw/deep/", "prefix"),
    ]
    assert [o["uri"].rsplit("/", 1)[-1] for o in page1.structured_content["items"]] == ["a.csv", "b.csv"]
    assert "MORE RESULTS" in page1.content[-1].text
    assert [o["uri"] for o in page2["items"]] == [f"s3://{bucket}/raw/deep/c.json"] and page2["next_cursor"] is None


async def test_object_info_describes_one_object(call, bucket):
    info = await call("object_info", uri=f"s3://{bucket}/raw/a.csv")

    assert (info["size"], info["content_type"], info["kind"]) == (8, "text/plain", "object")
    assert info["etag"] and info["version_id"]


async def test_object_read_cuts_at_max_bytes_and_marks_the_cut(client: Client, call, bucket):
    cut = await client.call_tool("object_read", {"uri": f"s3://{bucket}/top.txt", "max_bytes": 100})
    tail = await call("object_read", uri=f"s3://{bucket}/top.txt", offset=290)

    assert cut.structured_content["content"] == ("abcdefghij" * 10) and cut.structured_content["truncated"]
    assert "TRUNCATED" in cut.content[-1].text and "offset=100" in cut.content[-1].text
    assert (tail["content"], tail["truncated"]) == ("abcdefghij", False)


async def test_object_read_returns_binary_as_base64(call, bucket, infra):
    infra.s3_client().put_object(Bucket=bucket, Key="blob.bin", Body=bytes(range(256)))

    read = await call("object_read", uri=f"s3://{bucket}/blob.bin", mode="bytes", max_bytes=4)

    assert (read["encoding"], read["content"], read["total_size"]) == ("base64", "AAECAw==", 256)
