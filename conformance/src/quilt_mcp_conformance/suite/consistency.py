"""Cross-backend consistency: a package written through one backend reads the same through every other.

For each ordered pair of installed backends (one S3 harness each), the
writer pushes two revisions (inline text, an S3 object with metadata, an S3
prefix; then an update adding, replacing and removing entries and merging
package metadata); the reader must then see what the writer sees: top
hashes, every entry with its hash and metadata, the package metadata and
the diff. Runs with ``-n auto`` like the rest of the suite.
"""

from __future__ import annotations

from typing import Any

from quilt_mcp.models import EntrySource
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure

NAME = "cross/pkg"
SOURCES = {"in/a.csv": b"x,y\n1,2\n", "in/dir/b.txt": b"bee", "in/dir/c.json": b'{"c": 3}'}


def write_sample(ops: QuiltOps, registry: str, source: str) -> tuple[str, str]:
    """Two revisions of ``NAME`` in ``registry`` from objects in ``source``; their top hashes."""
    first = ops.create_revision(
        registry,
        NAME,
        [
            EntrySource(logical_key="README.md", text="# Cross\nwritten once, read everywhere\n"),
            EntrySource(logical_key="data/a.csv", source=f"s3://{source}/in/a.csv", meta={"rows": 2}),
            EntrySource(logical_key="raw/", source=f"s3://{source}/in/dir/"),
        ],
        message="first",
        user_meta={"owner": {"team": "genomics"}, "tags": ["x", "y"]},
    )
    second = ops.update_revision(
        registry,
        NAME,
        add=[
            EntrySource(logical_key="notes.txt", text="née ünïcode"),
            EntrySource(logical_key="data/a.csv", source=f"s3://{source}/in/dir/b.txt"),
        ],
        remove=["raw/c.json"],
        user_meta={"stage": "reviewed"},
        message="second",
    )
    return first.top_hash, second.top_hash


def read_sample(ops: QuiltOps, registry: str, first: str, second: str) -> dict[str, Any]:
    """What a reader sees of the sample: top hashes, entries with hashes and metadata, headers, the diff."""
    every_file = ops.browse(registry, NAME, second, recursive=True)
    reads = {
        "latest": ops.resolve_revision(registry, NAME),
        "info": [ops.package_info(registry, NAME, ref).model_dump(exclude={"timestamp"}) for ref in (first, second)],
        "files": every_file.model_dump(),
        "root": ops.browse(registry, NAME, first).model_dump(),
        "entries": [ops.entry_info(registry, NAME, i.path, second).model_dump() for i in every_file.items],
        "diff": ops.diff(registry, NAME, first, second).model_dump(),
    }
    return reads


class ConsistencySuite:
    """The written-by x read-by matrix over every installed backend."""

    def test_a_package_written_by_one_backend_reads_the_same_through_another(
        self, cross_pair: tuple[BackendHarness, BackendHarness], infra: Infrastructure
    ) -> None:
        writer, reader = cross_pair
        source = writer.new_source_bucket(infra)
        reader.admit(infra, source)
        for key, body in SOURCES.items():
            infra.s3_client().put_object(Bucket=source, Key=key, Body=body)
        registry = writer.new_registry(infra)
        reader.admit(infra, registry.removeprefix("s3://"))

        first, second = write_sample(writer.open(infra), registry, source)

        seen_by_writer = read_sample(writer.open(infra), registry, first, second)
        seen_by_reader = read_sample(reader.open(infra), registry, first, second)
        assert seen_by_reader == seen_by_writer
        assert seen_by_reader["latest"] == second
        assert seen_by_reader["info"][1]["user_meta"] == {
            "owner": {"team": "genomics"}, "tags": ["x", "y"], "stage": "reviewed",
        }  # fmt: skip
        assert [i["path"] for i in seen_by_reader["files"]["items"]] == ["README.md", "data/a.csv", "notes.txt", "raw/b.txt"]
