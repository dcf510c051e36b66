"""packageConstruct and packageRevisionDelete write what quilt3 writes, and refuse what a catalog refuses."""

from __future__ import annotations

import quilt3
import pytest

from tests.catalog.support import data

CONSTRUCT = """
mutation($params: PackagePushParams!, $src: PackageConstructSource!) {
  packageConstruct(params: $params, src: $src) {
    __typename
    ... on PackagePushSuccess { package { name } revision { hash message userMeta totalEntries } }
    ... on InvalidInput { errors { path name message } }
    ... on OperationError { name message }
  }
}"""
DELETE = """
mutation($b: String!, $n: String!, $h: String!) {
  packageRevisionDelete(bucket: $b, name: $n, hash: $h) { __typename ... on OperationError { name message } }
}"""


def _construct(catalog, user: str, bucket: str, name: str, entries: list[dict], **params) -> dict:
    variables = {"params": {"bucket": bucket, "name": name, **params}, "src": {"entries": entries}}
    return data(catalog, user, CONSTRUCT, **variables)["packageConstruct"]


def test_constructed_package_is_byte_for_byte_what_quilt3_pushes(current, world, infra) -> None:
    s3 = infra.s3_client()
    s3.put_object(Bucket=world.source, Key="w/one.txt", Body=b"hello")
    s3.put_object(Bucket=world.source, Key="w/two.txt", Body=b"world!")
    version = s3.head_object(Bucket=world.source, Key="w/one.txt")["VersionId"]
    one = f"s3://{world.source}/w/one.txt?versionId={version}"
    two = f"s3://{world.source}/w/two.txt"
    reference = quilt3.Package()
    reference.set("one.txt", one)
    reference.set("sub/two.txt", two, meta={"k": "v"})
    reference.set_meta({"about": "w"})
    expected = reference.push("ref/w", registry=f"s3://{world.bucket_a}", message="made", selector_fn=lambda *_: False, force=True)

    entries = [
        {"logicalKey": "one.txt", "physicalKey": one, "size": 5},  # hash filled by hashing the object
        {"logicalKey": "sub/two.txt", "physicalKey": two, "meta": {"user_meta": {"k": "v"}}},  # size, version, hash from S3
    ]
    result = _construct(current, "alice", world.bucket_a, "cat/w", entries, message="made", userMeta={"about": "w"})
    assert result["__typename"] == "PackagePushSuccess", result
    assert result["revision"] == {"hash": expected.top_hash, "message": "made", "userMeta": {"about": "w"}, "totalEntries": 2}
    manifest = f".quilt/packages/{expected.top_hash}"
    assert s3.get_object(Bucket=world.bucket_a, Key=manifest)["Body"].read()
    browsed = quilt3.Package.browse("cat/w", registry=f"s3://{world.bucket_a}")
    assert browsed.top_hash == expected.top_hash
    assert str(browsed["sub/two.txt"].physical_key) == str(reference["sub/two.txt"].physical_key)


def test_invalid_input_names_every_bad_argument(current, world) -> None:
    entries = [
        {"logicalKey": "a/../b", "physicalKey": f"s3://{world.source}/x"},
        {"logicalKey": "ok", "physicalKey": "file:///etc/passwd"},
        {"logicalKey": "ok", "physicalKey": f"s3://{world.source}/y", "hash": {"type": "MD5", "value": "x"}},
    ]
    result = _construct(current, "alice", world.bucket_a, "not a name", entries)
    assert result["__typename"] == "InvalidInput"
    assert [(e["path"], e["name"]) for e in result["errors"]] == [
        ("params.name", "InvalidPackageName"),
        ("src.entries[0].logicalKey", "InvalidLogicalKey"),
        ("src.entries[1].physicalKey", "InvalidPhysicalKey"),
        ("src.entries[2].logicalKey", "DuplicateLogicalKey"),
        ("src.entries[2].hash", "InvalidHash"),
    ]


@pytest.mark.parametrize("where", ["registry", "entry"])
def test_bucket_outside_the_role_is_forbidden(current, world, where) -> None:
    registry, source = (world.bucket_b, world.source) if where == "registry" else (world.bucket_a, world.bucket_b)
    result = _construct(current, "alice", registry, "cat/nope", [{"logicalKey": "s", "physicalKey": f"s3://{source}/s.txt"}])
    assert (result["__typename"], result["name"]) == ("OperationError", "Forbidden")
    assert world.bucket_b in result["message"]


def test_missing_object_is_an_operation_error(current, world) -> None:
    result = _construct(current, "alice", world.bucket_a, "cat/missing", [{"logicalKey": "gone", "physicalKey": f"s3://{world.source}/no/such"}])
    assert (result["__typename"], result["name"]) == ("OperationError", "ObjectNotFound")


def test_revision_delete_moves_latest_back_as_quilt3_does(current, world, infra) -> None:
    infra.s3_client().put_object(Bucket=world.source, Key="d/f", Body=b"v")
    entry = [{"logicalKey": "f", "physicalKey": f"s3://{world.source}/d/f"}]
    first = _construct(current, "alice", world.bucket_a, "cat/del", entry, message="1")["revision"]["hash"]
    import time

    time.sleep(1.1)
    second = _construct(current, "alice", world.bucket_a, "cat/del", entry, message="2")["revision"]["hash"]
    assert data(current, "alice", DELETE, b=world.bucket_a, n="cat/del", h=second)["packageRevisionDelete"] == {"__typename": "PackageRevisionDeleteSuccess"}
    assert [h for _t, h in quilt3.list_package_versions("cat/del", f"s3://{world.bucket_a}")] == [first, first]
    again = data(current, "alice", DELETE, b=world.bucket_a, n="cat/del", h=second)["packageRevisionDelete"]
    assert (again["__typename"], again["name"]) == ("OperationError", "NotFound")
    foreign = data(current, "bob", DELETE, b=world.bucket_a, n="cat/del", h=first)["packageRevisionDelete"]
    assert (foreign["__typename"], foreign["name"]) == ("OperationError", "Forbidden")
