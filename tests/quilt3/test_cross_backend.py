"""A package written through one backend reads identically through the other.

The quilt3 backend writes with quilt3 itself, the iam backend writes with
boto3 alone; both must produce the same registry, so every read of the same
package gives equal models whichever backend wrote it and whichever reads it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from quilt_mcp.auth import AuthContext
from quilt_mcp.models import EntrySource
from quilt_mcp.ops import QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import select_backend
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_quilt3.conformance import Quilt3S3Harness

iam_plugin = pytest.importorskip("quilt_mcp_iam.plugin", reason="cross-backend reads need the iam plugin installed")

NAME = "cross/pkg"


@pytest.fixture
def backends(infra: Infrastructure, quilt3_home: None) -> dict[str, QuiltOps]:
    """Both backends, each opened through its own plugin's detection."""
    context = AuthContext.from_environment(env={**os.environ, "QUILT_MCP_BACKEND": "iam"})
    host = PluginHost.from_plugins({"iam": iam_plugin})
    iam = host.open(select_backend(host, context).chosen, context)
    return {"quilt3": Quilt3S3Harness().open(infra), "iam": iam}


def write_sample(ops: QuiltOps, registry: str, source: str) -> tuple[str, str]:
    """Two revisions: inline text, a single S3 object with metadata, a whole S3 prefix; then an update."""
    first = ops.create_revision(
        registry,
        NAME,
        [
            EntrySource(logical_key="README.md", text="# Cross\nwritten once, read twice\n"),
            EntrySource(logical_key="data/a.csv", source=f"s3://{source}/in/a.csv", meta={"rows": 2, "unit": "m"}),
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


def read_everything(ops: QuiltOps, registry: str, first: str, second: str) -> dict[str, Any]:
    """Every read operation on the sample, as plain data."""
    every_file = ops.browse(registry, NAME, recursive=True)
    reads: dict[str, Any] = {
        "packages": ops.list_packages(registry),
        "revisions": ops.list_revisions(registry, NAME),
        "resolved": [ops.resolve_revision(registry, NAME, ref) for ref in ("latest", first[:8], second)],
        "info": [ops.package_info(registry, NAME, ref) for ref in (first, second)],
        "root": ops.browse(registry, NAME),
        "directory": ops.browse(registry, NAME, first, path="raw/"),
        "every_file": every_file,
        "entries": [ops.entry_info(registry, NAME, item.path) for item in every_file.items],
        "contents": [ops.read_entry(registry, NAME, item.path, max_bytes=10) for item in every_file.items],
        "diff": ops.diff(registry, NAME, first, second),
        "search": ops.search_packages(registry, "genomics"),
    }
    return {key: _plain(value) for key, value in reads.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


@pytest.mark.parametrize(("writer", "reader"), [("quilt3", "iam"), ("iam", "quilt3")])
def test_a_package_written_by_one_backend_reads_the_same_through_both(
    backends: dict[str, QuiltOps], infra: Infrastructure, writer: str, reader: str
) -> None:
    source = infra.new_bucket()
    s3 = infra.s3_client()
    for key, body in {"in/a.csv": b"x,y\n1,2\n", "in/dir/b.txt": b"bee", "in/dir/c.json": b'{"c": 3}'}.items():
        s3.put_object(Bucket=source, Key=key, Body=body)
    registry = f"s3://{infra.new_bucket()}"

    first, second = write_sample(backends[writer], registry, source)

    by_writer = read_everything(backends[writer], registry, first, second)
    by_reader = read_everything(backends[reader], registry, first, second)
    assert by_reader == by_writer
    assert by_reader["info"][1]["user_meta"] == {"owner": {"team": "genomics"}, "tags": ["x", "y"], "stage": "reviewed"}
    assert [item["path"] for item in by_reader["every_file"]["items"]] == ["README.md", "data/a.csv", "notes.txt", "raw/b.txt"]


@pytest.mark.parametrize("reader", ["quilt3", "iam"])
def test_a_key_with_a_backslash_that_quilt3_writes_works_in_every_operation(
    backends: dict[str, QuiltOps], infra: Infrastructure, tmp_path: Any, reader: str
) -> None:
    import quilt3

    registry = f"s3://{infra.new_bucket()}"
    (tmp_path / "f").write_text("back")
    (tmp_path / "g").write_text("keep")
    pkg = quilt3.Package().set("back\\slash.txt", str(tmp_path / "f")).set("keep.txt", str(tmp_path / "g"))
    pkg.push(NAME, registry=registry, message="by quilt3", force=True)
    ops = backends[reader]

    assert ops.entry_info(registry, NAME, "back\\slash.txt").size == 4
    assert ops.read_entry(registry, NAME, "back\\slash.txt").content == "back"
    assert ops.entry_url(registry, NAME, "back\\slash.txt").url
    ops.update_revision(registry, NAME, remove=["back\\slash.txt"], message="removed")
    assert [e.path for e in ops.browse(registry, NAME, recursive=True).items] == ["keep.txt"]
