"""quilt3 pushes and revision deletions move ``latest`` by a conditional write, so exactly one of two
server processes writing from one base wins, and the loser gets a conflict naming both hashes.

Another process's write landing between quilt3's own check of ``latest`` and its write cannot be timed
from outside, so the S3 client the backend writes with is wrapped to let that write land (through a
second, plain boto3 client) just before ours; everything else is the real quilt3 on moto S3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from quilt_mcp.errors import ConflictError
from quilt_mcp.models import EntrySource
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_quilt3.conformance import Quilt3S3Harness

NAME = "race/pkg"
LATEST = f".quilt/named_packages/{NAME}/latest"


class RacingClient:
    """An S3 client that runs ``before_put(key)`` once before the first ``put_object`` of a matching key."""

    def __init__(self, client: Any, matches: Callable[[str], bool], before_put: Callable[[], None]) -> None:
        self._client, self._matches, self._before_put, self.raced = client, matches, before_put, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_object(self, **params: Any) -> Any:
        if not self.raced and self._matches(params["Key"]):
            self.raced = True
            self._before_put()
        return self._client.put_object(**params)


@pytest.fixture
def ops(infra: Infrastructure, quilt3_home: None) -> Iterator[Any]:
    opened = Quilt3S3Harness().open(infra)
    plain = opened.s3
    yield opened
    opened._client = plain


@pytest.fixture
def other(infra: Infrastructure) -> Any:
    """The other server process's S3 client."""
    return boto3.client("s3", endpoint_url=infra.s3_endpoint, region_name=infra.env["AWS_DEFAULT_REGION"])


def race(ops: Any, matches: Callable[[str], bool], before_put: Callable[[], None]) -> RacingClient:
    ops._client = RacingClient(ops.s3, matches, before_put)
    return ops._client


def text(key: str, value: str) -> EntrySource:
    return EntrySource(logical_key=key, text=value)


def test_two_processes_updating_from_one_base_have_one_winner(ops: Any, other: Any, infra: Infrastructure) -> None:
    registry = f"s3://{infra.new_bucket()}"
    bucket = registry[5:]
    base = ops.create_revision(registry, NAME, [text("a.txt", "base")]).top_hash
    theirs = ops.update_revision(registry, NAME, add=[text("theirs.txt", "t")]).top_hash
    other.put_object(Bucket=bucket, Key=LATEST, Body=base.encode())  # as if theirs had not landed yet
    racer = race(
        ops,
        lambda key: key.startswith(".quilt/packages/"),
        lambda: other.put_object(Bucket=bucket, Key=LATEST, Body=theirs.encode()),
    )
    with pytest.raises(ConflictError) as caught:
        ops.update_revision(registry, NAME, base_ref=base, add=[text("mine.txt", "m")])
    assert racer.raced
    assert base in str(caught.value) and theirs in str(caught.value)
    assert "left no revision pointer" not in str(caught.value)
    ops._client = racer._client
    assert ops.resolve_revision(registry, NAME) == theirs


def test_a_new_package_created_twice_is_one_conflict(ops: Any, other: Any, infra: Infrastructure) -> None:
    registry = f"s3://{infra.new_bucket()}"
    bucket = registry[5:]
    theirs = ops.create_revision(registry, "race/elsewhere", [text("t.txt", "t")]).top_hash
    race(
        ops,
        lambda key: key.startswith(".quilt/packages/"),
        lambda: other.put_object(Bucket=bucket, Key=LATEST, Body=theirs.encode()),
    )
    with pytest.raises(ConflictError) as caught:
        ops.create_revision(registry, NAME, [text("mine.txt", "m")])
    assert theirs in str(caught.value)
    assert ops.resolve_revision(registry, NAME) == theirs


def test_deleting_the_latest_revision_while_a_push_moves_latest_is_a_conflict(
    ops: Any, other: Any, infra: Infrastructure
) -> None:
    registry = f"s3://{infra.new_bucket()}"
    bucket = registry[5:]
    first = ops.create_revision(registry, NAME, [text("a.txt", "1")]).top_hash
    second = ops.update_revision(registry, NAME, add=[text("a.txt", "2")]).top_hash
    theirs = ops.create_revision(registry, "race/elsewhere", [text("t.txt", "t")]).top_hash
    racer = race(
        ops,
        lambda key: key == LATEST,
        lambda: other.put_object(Bucket=bucket, Key=LATEST, Body=theirs.encode()),
    )
    with pytest.raises(ConflictError) as caught:
        ops.delete_revision(registry, NAME, second)
    assert racer.raced and theirs in str(caught.value)
    assert ops.resolve_revision(registry, NAME) == theirs
    # Nothing was removed; the listing shows the racer's latest first (it has no pointer in this package).
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [theirs, second, first]


def test_quick_pushes_are_each_listed_under_their_own_second(ops: Any, infra: Infrastructure) -> None:
    registry = f"s3://{infra.new_bucket()}"
    pushed = [ops.create_revision(registry, NAME, [text("a.txt", "0")])]
    pushed.append(ops.update_revision(registry, NAME, add=[text("a.txt", "1")]))
    listed = ops.list_revisions(registry, NAME).items
    assert [r.top_hash for r in listed] == [p.top_hash for p in reversed(pushed)]
    assert [r.timestamp for r in listed] == [p.timestamp for p in reversed(pushed)]


def test_a_push_that_stopped_after_moving_latest_is_still_listed_first(
    ops: Any, other: Any, infra: Infrastructure
) -> None:
    registry = f"s3://{infra.new_bucket()}"
    first = ops.create_revision(registry, NAME, [text("a.txt", "1")])
    second = ops.update_revision(registry, NAME, add=[text("a.txt", "2")])
    pointer = f".quilt/named_packages/{NAME}/{int(second.timestamp.timestamp())}"
    other.delete_object(Bucket=registry[5:], Key=pointer)  # as a crash before the pointer was written leaves it
    assert [r.top_hash for r in ops.list_revisions(registry, NAME).items] == [second.top_hash, first.top_hash]
