"""Every read resolver answers what quilt3 itself reads from the same registry."""

from __future__ import annotations

from datetime import datetime

import quilt3

from tests.catalog.support import data

REVISION = """
query($bucket: String!, $name: String!, $ref: String!) {
  package(bucket: $bucket, name: $name) {
    revision(hashOrTag: $ref) {
      hash modified message userMeta metadata totalEntries totalBytes workflow { id }
      contentsFlatMap(max: 100)
      dir(path: "dir") { path size children { __typename ... on PackageFile { path size physicalKey metadata } ... on PackageDir { path } } }
      file(path: "a.txt") { path size physicalKey }
    }
  }
}"""


def test_me_and_buckets_show_only_the_callers_role(catalog, world) -> None:
    got = data(catalog, "alice", "{ me { name email isAdmin role { name } } bucketConfigs { name } buckets { name } }")
    assert got["me"] == {"name": "alice", "email": "alice@example.com", "isAdmin": False, "role": {"name": "team-a"}}
    assert [b["name"] for b in got["bucketConfigs"]] == sorted([world.bucket_a, world.source])
    assert got["buckets"] == got["bucketConfigs"]
    hidden = data(catalog, "alice", "query($b: String!) { bucket(name: $b) { name } bucketConfig(name: $b) { name } }", b=world.bucket_b)
    assert hidden == {"bucket": None, "bucketConfig": None}


def test_package_list_equals_quilt3s_in_each_order(current, world) -> None:
    query = "query($b: String!, $o: PackageListOrder) { packages(bucket: $b) { total page(order: $o) { name modified revisions { total } } } }"
    by_name = data(current, "alice", query, b=world.bucket_a, o="NAME")["packages"]
    names = sorted(quilt3.list_packages(f"s3://{world.bucket_a}"))
    assert by_name["total"] == len(names) == 2
    assert [p["name"] for p in by_name["page"]] == names
    for pkg in by_name["page"]:
        stamps = [int(t) for t, _h in quilt3.list_package_versions(pkg["name"], f"s3://{world.bucket_a}") if t != "latest"]
        assert pkg["revisions"]["total"] == len(stamps)
        assert datetime.fromisoformat(pkg["modified"]).timestamp() == max(stamps)
    by_modified = data(current, "alice", query, b=world.bucket_a, o="MODIFIED")["packages"]["page"]
    assert [p["modified"] for p in by_modified] == sorted((p["modified"] for p in by_modified), reverse=True)


def test_package_list_filter_and_paging(current, world) -> None:
    query = 'query($b: String!) { packages(bucket: $b, filter: "BET") { total page(number: 1, perPage: 1) { name } } two: packages(bucket: $b) { page(number: 2, perPage: 1) { name } } }'
    got = data(current, "alice", query, b=world.bucket_a)
    assert got["packages"] == {"total": 1, "page": [{"name": "team/beta"}]}
    assert got["two"]["page"] == [{"name": "team/beta"}]


def test_revisions_page_equals_quilt3s_versions_newest_first(current, world) -> None:
    query = 'query($b: String!) { package(bucket: $b, name: "team/alpha") { revisions { total page(perPage: 5) { hash modified } } } }'
    revisions = data(current, "alice", query, b=world.bucket_a)["package"]["revisions"]
    expected = sorted(
        ((int(t), h) for t, h in quilt3.list_package_versions("team/alpha", f"s3://{world.bucket_a}") if t != "latest"),
        reverse=True,
    )
    assert revisions["total"] == 2
    assert [(int(datetime.fromisoformat(r["modified"]).timestamp()), r["hash"]) for r in revisions["page"]] == expected


def test_revision_fields_equal_quilt3s_browse(catalog, world) -> None:
    latest, first = world.hashes["team/alpha"]
    pkg = quilt3.Package.browse("team/alpha", registry=f"s3://{world.bucket_a}", top_hash=latest)
    for ref in ("latest", latest, latest[:10]):
        rev = data(catalog, "alice", REVISION, bucket=world.bucket_a, name="team/alpha", ref=ref)["package"]["revision"]
        assert rev["hash"] == latest
        assert rev["message"] == "second alpha"
        assert rev["userMeta"] == pkg.meta == {"project": "zebra", "n": 3}
        assert rev["metadata"]["user_meta"] == pkg.meta and rev["metadata"]["version"] == "v0"
        assert rev["totalEntries"] == len(list(pkg.walk())) == 3
        assert rev["totalBytes"] == sum(e.size for _k, e in pkg.walk())
        assert rev["workflow"] is None
        assert rev["contentsFlatMap"] == {
            key: {"physicalKey": str(e.physical_key), "size": e.size, "hash": e.hash, "meta": e._meta}
            for key, e in pkg.walk()
        }
        assert rev["file"] == {"path": "a.txt", "size": 7.0, "physicalKey": str(pkg["a.txt"].physical_key)}
        assert rev["dir"]["path"] == "dir/"
        assert rev["dir"]["size"] == pkg["dir/b.csv"].size + pkg["dir/sub/c.json"].size
        assert rev["dir"]["children"] == [
            {"__typename": "PackageFile", "path": "dir/b.csv", "size": 8.0, "physicalKey": str(pkg["dir/b.csv"].physical_key), "metadata": None},
            {"__typename": "PackageDir", "path": "dir/sub/"},
        ]
    older = data(catalog, "alice", REVISION, bucket=world.bucket_a, name="team/alpha", ref=first)["package"]["revision"]
    assert (older["hash"], older["message"], older["userMeta"]) == (first, "first alpha", None)


def test_missing_revision_path_and_oversized_flat_map_are_null(current, world) -> None:
    query = """query($b: String!) { package(bucket: $b, name: "team/alpha") {
      revision { contentsFlatMap(max: 2) dir(path: "a.txt") { path } file(path: "dir") { path } }
      missing: revision(hashOrTag: "0000000000") { hash } } }"""
    got = data(current, "alice", query, b=world.bucket_a)["package"]
    assert got == {"revision": {"contentsFlatMap": None, "dir": None, "file": None}, "missing": None}


def test_other_roles_packages_are_invisible(current, world) -> None:
    query = 'query($b: String!) { packages(bucket: $b) { total } package(bucket: $b, name: "other/secret") { name } }'
    assert data(current, "alice", query, b=world.bucket_b) == {"packages": None, "package": None}
    assert data(current, "bob", query, b=world.bucket_b)["package"] == {"name": "other/secret"}
    assert data(current, "bob", query, b=world.bucket_a) == {"packages": None, "package": None}


def test_granting_a_bucket_to_a_role_shows_it_on_the_next_request(current, infra) -> None:
    fresh = infra.new_bucket()
    query = "{ bucketConfigs { name } }"
    assert fresh not in {b["name"] for b in data(current, "bob", query)["bucketConfigs"]}
    current.grant("team-b", fresh)
    assert fresh in {b["name"] for b in data(current, "bob", query)["bucketConfigs"]}
    assert fresh not in {b["name"] for b in data(current, "alice", query)["bucketConfigs"]}
