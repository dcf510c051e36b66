"""Byte compatibility with quilt3 8.0.0, proved against moto S3 with the real quilt3.

What iam writes, quilt3 browses with the same top hash, entries and metadata
(and re-dumps to the very same manifest bytes); what quilt3 pushes, iam reads
identically; the same content pushed by either has the same top hash.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import quilt3

from quilt_mcp.models import EntrySource
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_conformance.reference import TOP_HASH_VECTOR_TOP_HASH, top_hash_vector
from quilt_mcp_iam.manifest import Manifest, top_hash
from quilt_mcp_iam.ops import IamOps

PUBLISHED_TOP_HASH = TOP_HASH_VECTOR_TOP_HASH

FILES = {
    "README.md": "# Dataset\n",
    "empty.txt": "",
    "data/nested/deep/ключ.csv": "a,b\n1,2\n",
    "data/ü/résumé.json": '{"k": "✓"}',
    "data-v2/x.txt": "dash sorts before slash",
}
ENTRY_META: dict[str, dict[str, Any]] = {
    "data/nested/deep/ключ.csv": {"nested": {"list": [1, {"x": None}], "ü": "✓"}, "n": 1.5},
    "empty.txt": {},
}
PACKAGE_META = {"owner": {"name": "Zoë", "tags": ["a", "b"]}, "ratio": 0.25, "ok": True}
MESSAGE = "first revision — ünïcode"


def sources() -> list[EntrySource]:
    return [EntrySource(logical_key=k, text=v, meta=ENTRY_META.get(k)) for k, v in FILES.items()]


def quilt3_package(tmp_path: Path) -> quilt3.Package:
    """The same content as ``sources()``, built the way a quilt3 user would, from local files."""
    pkg = quilt3.Package()
    for n, (key, text) in enumerate(FILES.items()):
        path = tmp_path / f"file{n}"
        path.write_text(text, encoding="utf-8")
        pkg.set(key, str(path), meta=ENTRY_META.get(key))
    pkg.set_meta(PACKAGE_META)
    return pkg


def manifest_bytes(infra: Infrastructure, registry: str, top: str) -> bytes:
    if registry.startswith("s3://"):
        reply = infra.s3_client().get_object(Bucket=registry[5:], Key=f".quilt/packages/{top}")
        return reply["Body"].read()
    return (Path(registry.removeprefix("file://")) / ".quilt" / "packages" / top).read_bytes()


def quilt3_view(pkg: quilt3.Package) -> dict[str, tuple[int, dict, dict, str]]:
    return {lk: (e.size, e.hash, e._meta, str(e.physical_key)) for lk, e in pkg.walk()}


def iam_view(ops: IamOps, registry: str, name: str) -> dict[str, tuple[int, dict, dict, str]]:
    items = ops.browse(registry, name, recursive=True, limit=1000).items
    view = {}
    for item in items:
        entry = ops.entry_info(registry, name, item.path)
        view[item.path] = (entry.size, entry.hash.model_dump(), entry.meta, entry.physical_key)
    return view


def test_top_hash_of_the_reference_manifest_is_the_published_one() -> None:
    manifest = Manifest.parse(top_hash_vector())
    assert top_hash(manifest.header, manifest.entries()) == PUBLISHED_TOP_HASH


def test_reference_manifest_is_read_from_a_registry(ops: IamOps, local_registry: str) -> None:
    """The vector (unsorted, an obsolete ``top_hash`` header field, SHA256 hashes) reads as two entries."""
    root = Path(local_registry.removeprefix("file://"))
    (root / ".quilt" / "packages").mkdir(parents=True)
    (root / ".quilt" / "packages" / PUBLISHED_TOP_HASH).write_bytes(top_hash_vector())
    pointers = root / ".quilt" / "named_packages" / "ref" / "vector"
    pointers.mkdir(parents=True)
    for pointer in ("1700000000", "latest"):
        (pointers / pointer).write_text(PUBLISHED_TOP_HASH)
    info = ops.package_info(local_registry, "ref/vector")
    assert (info.top_hash, info.entry_count, info.total_bytes) == (PUBLISHED_TOP_HASH, 2, 27)
    assert [i.path for i in ops.browse(local_registry, "ref/vector", recursive=True).items] == [
        "b/x.json",
        "куилт.txt",
    ]
    entry = ops.entry_info(local_registry, "ref/vector", "куилт.txt")
    assert entry.user_meta == {"x": "y"} and entry.hash.type == "SHA256"


@pytest.mark.parametrize("kind", ["s3", "local"])
def test_quilt3_browses_what_iam_writes(ops: IamOps, infra: Infrastructure, kind: str) -> None:
    registry = f"s3://{infra.new_bucket()}" if kind == "s3" else infra.new_dir("registry").as_uri()
    pushed = ops.create_revision(registry, "compat/iam", sources(), message=MESSAGE, user_meta=PACKAGE_META)

    pkg = quilt3.Package.browse("compat/iam", registry=registry)
    assert pkg.top_hash == pushed.top_hash
    assert pkg.meta == PACKAGE_META
    assert quilt3_view(pkg) == iam_view(ops, registry, "compat/iam")
    assert pkg["data/nested/deep/ключ.csv"].get_as_string() == FILES["data/nested/deep/ключ.csv"]
    assert pkg["empty.txt"].get_bytes() == b""

    dumped = io.BytesIO()
    pkg.dump(dumped)
    assert dumped.getvalue() == manifest_bytes(infra, registry, pushed.top_hash)
    assert dict(quilt3.list_package_versions("compat/iam", registry=registry))["latest"] == pushed.top_hash


def test_iam_reads_what_quilt3_pushes_and_writes_the_same_content_alike(
    ops: IamOps, s3_registry: str, tmp_path: Path
) -> None:
    """quilt3 uploads local files (hashing from S3's SHA256 checksum); iam hashes inline text itself."""
    pkg = quilt3_package(tmp_path).push("compat/quilt3", registry=s3_registry, message=MESSAGE, force=True)

    info = ops.package_info(s3_registry, "compat/quilt3")
    assert (info.top_hash, info.message, info.user_meta) == (pkg.top_hash, MESSAGE, PACKAGE_META)
    assert info.entry_count == len(FILES)
    assert info.total_bytes == sum(len(v.encode()) for v in FILES.values())
    assert iam_view(ops, s3_registry, "compat/quilt3") == quilt3_view(pkg)
    for key, text in FILES.items():
        assert ops.read_entry(s3_registry, "compat/quilt3", key, mode="bytes").data() == text.encode()

    ours = ops.create_revision(s3_registry, "compat/ours", sources(), message=MESSAGE, user_meta=PACKAGE_META)
    assert ours.top_hash == pkg.top_hash
    assert {lk: v[:3] for lk, v in iam_view(ops, s3_registry, "compat/ours").items()} == {
        lk: v[:3] for lk, v in quilt3_view(pkg).items()
    }


def test_s3_sources_hash_like_quilt3_with_and_without_s3_checksums(
    ops: IamOps, infra: Infrastructure, s3_registry: str, source_bucket: str
) -> None:
    """An object with ``ChecksumSHA256`` is hashed from it; one without is streamed; quilt3 streams both."""
    s3 = infra.s3_client()
    s3.put_object(Bucket=source_bucket, Key="in/with-checksum.bin", Body=b"x" * 70_000, ChecksumAlgorithm="SHA256")
    s3.put_object(Bucket=source_bucket, Key="in/plain.bin", Body=b"y" * 50_001)
    s3.put_object(Bucket=source_bucket, Key="in/sub/empty", Body=b"", ChecksumAlgorithm="SHA256")
    s3.put_object(Bucket=source_bucket, Key="single.txt", Body=b"single")
    ours = ops.create_revision(
        s3_registry,
        "compat/s3",
        [
            EntrySource(logical_key="dir/", source=f"s3://{source_bucket}/in/"),
            EntrySource(logical_key="one.txt", source=f"s3://{source_bucket}/single.txt", meta={"k": [1]}),
        ],
        message="from s3",
    )

    pkg = quilt3.Package()
    pkg.set_dir("dir", f"s3://{source_bucket}/in/")
    pkg.set("one.txt", f"s3://{source_bucket}/single.txt", meta={"k": [1]})
    theirs = pkg.push("compat/s3-quilt3", registry=s3_registry, message="from s3", selector_fn=lambda *_: False)
    assert ours.top_hash == theirs.top_hash
    assert iam_view(ops, s3_registry, "compat/s3") == quilt3_view(theirs)


def test_update_matches_a_quilt3_edit_of_the_same_base(ops: IamOps, infra: Infrastructure, tmp_path: Path) -> None:
    """Browse, set, delete, set_meta, push in quilt3 gives the top hash iam's update_revision gives."""
    mine, theirs = f"s3://{infra.new_bucket()}", f"s3://{infra.new_bucket()}"
    base = ops.create_revision(mine, "compat/edit", sources(), message=MESSAGE, user_meta=PACKAGE_META)
    assert ops.create_revision(theirs, "compat/edit", sources(), message=MESSAGE, user_meta=PACKAGE_META).top_hash == (
        base.top_hash
    )
    new_meta = {"owner": "someone else"}

    updated = ops.update_revision(
        mine,
        "compat/edit",
        add=[EntrySource(logical_key="data/added.txt", text="added", meta={"a": 1})],
        remove=["README.md", "data-v2/"],
        user_meta=new_meta,
        meta_mode="replace",
        message="second",
    )
    added = tmp_path / "added.txt"
    added.write_text("added")
    pkg = quilt3.Package.browse("compat/edit", registry=theirs)
    pkg.set("data/added.txt", str(added), meta={"a": 1})
    pkg.delete("README.md")
    pkg.delete("data-v2")
    pkg.set_meta(new_meta)
    pushed = pkg.push("compat/edit", registry=theirs, message="second")
    assert updated.top_hash == pushed.top_hash
    assert updated.previous_hash == base.top_hash


def test_quilt3_sees_iam_deletes_as_its_own(ops: IamOps, s3_registry: str) -> None:
    first = ops.create_revision(s3_registry, "compat/del", sources()[:1], message="one")
    second = ops.update_revision(s3_registry, "compat/del", add=sources()[1:2], message="two")
    ops.delete_revision(s3_registry, "compat/del", second.top_hash)
    versions = dict(quilt3.list_package_versions("compat/del", registry=s3_registry))
    assert versions["latest"] == first.top_hash
    assert set(versions.values()) == {first.top_hash}
    ops.delete_package(s3_registry, "compat/del")
    assert "compat/del" not in list(quilt3.list_packages(s3_registry))
