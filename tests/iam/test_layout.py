"""Registry layout details the shared suite leaves to the backend: name order, where local data goes, safety."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quilt_mcp.errors import DamagedManifestError, InvalidInputError, NotFoundError, NotSupportedError, PermissionDeniedError
from quilt_mcp.models import EntrySource
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam.manifest import ManifestEntry, serialize
from quilt_mcp_iam.ops import IamOps

# In S3 key order "a-b/" < "a/", but as names "a" < "a-b": the listing must still come out in name order.
TRICKY = ["t/a", "t/a-b", "t/a-b-c", "t/a0", "t/a_b", "t/ab", "t/b-", "t/b", "t-x/a", "t/-lead", "u/z"]


def write_pointers(infra: Infrastructure, registry: str, names: list[str], top_hash: str) -> None:
    for name in names:
        for pointer in ("1700000000", "latest"):
            key = f".quilt/named_packages/{name}/{pointer}"
            if registry.startswith("s3://"):
                infra.s3_client().put_object(Bucket=registry[5:], Key=key, Body=top_hash.encode())
            else:
                path = Path(registry.removeprefix("file://")) / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(top_hash)


@pytest.mark.parametrize("limit", [1, 2, 3, 1000])
def test_names_come_out_in_name_order_across_pages(
    ops: IamOps, infra: Infrastructure, registry: str, limit: int
) -> None:
    write_pointers(infra, registry, TRICKY, "0" * 64)
    names, cursor = [], None
    while True:
        page = ops.list_packages(registry, cursor=cursor, limit=limit)
        names += [p.name for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert names == sorted(TRICKY)
    assert [p.name for p in ops.list_packages(registry, prefix="t/a-").items] == ["t/a-b", "t/a-b-c"]


def test_a_cursor_from_another_listing_is_refused(ops: IamOps, registry: str) -> None:
    ops.create_revision(registry, "c/one", [EntrySource(logical_key="a", text="a")])
    ops.create_revision(registry, "c/two", [EntrySource(logical_key="a", text="a")])
    cursor = ops.list_packages(registry, limit=1).next_cursor
    with pytest.raises(InvalidInputError, match="cursor"):
        ops.browse(registry, "c/one", cursor=cursor)
    with pytest.raises(InvalidInputError, match="cursor"):
        ops.list_packages(registry, cursor="garbage")


def test_local_registry_data_of_older_revisions_never_changes(ops: IamOps, local_registry: str) -> None:
    first = ops.create_revision(local_registry, "data/pkg", [EntrySource(logical_key="notes.txt", text="v1")])
    ops.update_revision(local_registry, "data/pkg", add=[EntrySource(logical_key="notes.txt", text="v2")])
    third = ops.update_revision(local_registry, "data/pkg", add=[EntrySource(logical_key="notes.txt", text="v1")])
    assert ops.read_entry(local_registry, "data/pkg", "notes.txt", first.top_hash).content == "v1"
    assert ops.read_entry(local_registry, "data/pkg", "notes.txt").content == "v1"
    root = Path(local_registry.removeprefix("file://"))
    assert (root / "data" / "pkg" / "notes.txt").read_text() == "v1"
    # Identical bytes are stored once and shared.
    assert ops.entry_info(local_registry, "data/pkg", "notes.txt", third.top_hash).physical_key == (
        ops.entry_info(local_registry, "data/pkg", "notes.txt", first.top_hash).physical_key
    )


def test_local_files_are_copied_into_a_local_registry(ops: IamOps, local_registry: str, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "deep").mkdir(parents=True)
    (source / "deep" / "x.txt").write_text("x")
    (source / "y.txt").write_text("yy")
    ops.create_revision(local_registry, "files/pkg", [EntrySource(logical_key="in/", source=str(source))])
    (source / "y.txt").write_text("changed after the push")
    entry = ops.entry_info(local_registry, "files/pkg", "in/y.txt")
    assert entry.physical_key.startswith(local_registry + "/files/pkg/")
    assert ops.read_entry(local_registry, "files/pkg", "in/y.txt").content == "yy"
    assert [i.path for i in ops.browse(local_registry, "files/pkg", recursive=True).items] == [
        "in/deep/x.txt",
        "in/y.txt",
    ]


def test_local_files_cannot_go_into_an_s3_registry(ops: IamOps, s3_registry: str, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("f")
    with pytest.raises(InvalidInputError, match="local registry"):
        ops.create_revision(
            s3_registry, "files/pkg", [EntrySource(logical_key="f.txt", source=str(tmp_path / "f.txt"))]
        )


def test_a_bucket_manifest_cannot_make_the_server_read_local_files(
    ops: IamOps, infra: Infrastructure, s3_registry: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    written = serialize(
        {"version": "v0"}, (), [ManifestEntry("s.txt", secret.as_uri(), 11, {"type": "SHA256", "value": "0"})]
    )
    s3 = infra.s3_client()
    s3.put_object(Bucket=s3_registry[5:], Key=f".quilt/packages/{written.top_hash}", Body=written.data)
    write_pointers(infra, s3_registry, ["evil/pkg"], written.top_hash)
    with pytest.raises(PermissionDeniedError):
        ops.read_entry(s3_registry, "evil/pkg", "s.txt")


def test_registries_with_workflows_are_not_written(ops: IamOps, infra: Infrastructure, s3_registry: str) -> None:
    infra.s3_client().put_object(Bucket=s3_registry[5:], Key=".quilt/workflows/config.yml", Body=b"version: '1'\n")
    with pytest.raises(NotSupportedError, match="workflows"):
        ops.create_revision(s3_registry, "wf/pkg", [EntrySource(logical_key="a", text="a")])


def test_objects_of_a_configured_local_registry_can_be_listed_and_read(infra: Infrastructure, s3_client: Any) -> None:
    root = infra.new_dir("objects")
    (root / "sub").mkdir()
    (root / "sub" / "a.txt").write_text("hello")
    (root / "top.csv").write_text("1,2")
    ops = IamOps(lambda: s3_client, registries=[str(root)])
    listed = ops.list_objects(root.as_uri())
    assert [(i.uri.removeprefix(root.as_uri()), i.kind) for i in listed.items] == [
        ("/sub/", "prefix"),
        ("/top.csv", "object"),
    ]
    assert ops.read_object((root / "sub" / "a.txt").as_uri(), offset=1, max_bytes=3).content == "ell"
    assert ops.object_info(str(root / "top.csv")).size == 3
    with pytest.raises(InvalidInputError):
        ops.read_object(infra.new_dir("elsewhere").as_uri() + "/x")


def test_a_missing_bucket_is_named_as_such(ops: IamOps) -> None:
    with pytest.raises(NotFoundError, match="Bucket"):
        ops.resolve_revision("s3://no-such-bucket-here", "a/b")
    with pytest.raises(NotFoundError, match="Bucket"):
        ops.list_packages("s3://no-such-bucket-here")


def test_a_file_can_become_a_directory_and_back_in_a_local_registry(ops: IamOps, local_registry: str) -> None:
    name = "team/shape"
    ops.create_revision(local_registry, name, [EntrySource(logical_key="f", text="file")])
    ops.update_revision(local_registry, name, add=[EntrySource(logical_key="f/x", text="inside")], remove=["f"])
    assert ops.read_entry(local_registry, name, "f/x").content == "inside"
    ops.update_revision(local_registry, name, add=[EntrySource(logical_key="f", text="file again")], remove=["f/"])
    assert ops.read_entry(local_registry, name, "f").content == "file again"


def test_a_key_segment_longer_than_a_file_name_is_an_input_error_locally(ops: IamOps, local_registry: str) -> None:
    with pytest.raises(InvalidInputError, match="longer than a file name may be"):
        ops.create_revision(local_registry, "team/long", [EntrySource(logical_key="a" * 300, text="x")])


def test_the_largest_offset_on_a_local_registry_is_past_the_end(ops: IamOps, local_registry: str) -> None:
    ops.create_revision(local_registry, "team/far", [EntrySource(logical_key="f", text="abc")])
    with pytest.raises(InvalidInputError, match="past the end"):
        ops.read_entry(local_registry, "team/far", "f", offset=2**63 - 1)


def test_an_entry_without_physical_keys_is_a_damaged_manifest(ops: IamOps, local_registry: str) -> None:
    top = ops.create_revision(local_registry, "team/bad", [EntrySource(logical_key="f", text="x")]).top_hash
    manifest = Path(local_registry.removeprefix("file://")) / ".quilt" / "packages" / top
    header, line = manifest.read_text().splitlines()[:2]
    manifest.write_text(f"{header}\n" + line.replace('"physical_keys"', '"elsewhere"') + "\n")

    with pytest.raises(DamagedManifestError, match="has no physical_keys"):
        IamOps(lambda: None).browse(local_registry, "team/bad")


def test_search_skips_and_names_a_package_whose_manifest_is_damaged(ops: IamOps, local_registry: str) -> None:
    ops.create_revision(local_registry, "team/ok", [EntrySource(logical_key="f", text="x")])
    top = ops.create_revision(local_registry, "team/bad", [EntrySource(logical_key="f", text="y")]).top_hash
    (Path(local_registry.removeprefix("file://")) / ".quilt" / "packages" / top).write_text("not json\n")

    found = IamOps(lambda: None).search_packages(local_registry, "team")

    assert [hit.name for hit in found.items] == ["team/ok"]
    assert [skipped.split(":")[0] for skipped in found.skipped] == ["team/bad"]


def test_removing_a_directory_drops_its_metadata_line_as_quilt3_delete_does(ops: IamOps, local_registry: str) -> None:
    entries = [EntrySource(logical_key="data/sub/f", text="x"), EntrySource(logical_key="keep", text="k")]
    top = ops.create_revision(local_registry, "team/dirs", entries).top_hash
    packages = Path(local_registry.removeprefix("file://")) / ".quilt" / "packages"
    header, *rest = (packages / top).read_text().splitlines()
    meta_line = '{"logical_key": "data/sub/", "meta": {"about": "sub"}}'  # as quilt3 writes it; not in the top hash
    (packages / top).write_text("\n".join([header, meta_line, *rest]) + "\n")

    after = IamOps(lambda: None).update_revision(local_registry, "team/dirs", remove=["data/sub/"]).top_hash

    assert '"data/sub/"' not in (packages / after).read_text()


def test_a_hash_prefix_resolves_only_among_the_packages_own_revisions(ops: IamOps, local_registry: str) -> None:
    mine = ops.create_revision(local_registry, "team/a", [EntrySource(logical_key="f", text="a")]).top_hash
    theirs = ops.create_revision(local_registry, "team/b", [EntrySource(logical_key="f", text="b")]).top_hash

    assert ops.resolve_revision(local_registry, "team/a", mine[:8]) == mine
    with pytest.raises(NotFoundError, match="No revision of team/a"):
        ops.resolve_revision(local_registry, "team/a", theirs[:8])
