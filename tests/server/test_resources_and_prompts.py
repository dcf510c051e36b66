"""Resource templates addressed by Quilt+ URIs, and the prompts."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastmcp import Client

from quilt_mcp.plugins import PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.server.resources import ENTRY_TEMPLATE, RESOURCE_MAX_BYTES, SUMMARY_TEMPLATE
from quilt_mcp.settings import Settings

from .conftest import connect, iam_settings


@pytest.fixture
async def package(s3_registry: str, protocol: str, infra: Any) -> AsyncIterator[tuple[Client, str, str]]:
    """(client, bucket, top hash) of team/data: docs/README.md, a binary blob and a > 1 MiB text."""
    bucket = s3_registry[5:]
    infra.s3_client().put_object(Bucket=bucket, Key="raw/blob.bin", Body=bytes(range(256)))
    entries = [
        {"logical_key": "docs/README.md", "text": "# Data\n\nHello.\n"},
        {"logical_key": "blob.bin", "source": f"s3://{bucket}/raw/blob.bin"},
        {"logical_key": "big.txt", "text": "x" * (RESOURCE_MAX_BYTES + 10)},
    ]
    async with connect(build_server(iam_settings(s3_registry)), protocol) as client:
        pushed = await client.call_tool("package_create", {"name": "team/data", "entries": entries, "message": "m"})
        yield client, bucket, pushed.structured_content["top_hash"]


async def test_the_templates_are_listed_with_quilt_uris(package):
    client, _, _ = package

    templates = {t.name: t.uri_template for t in await client.list_resource_templates()}

    assert templates == {"package_entry": ENTRY_TEMPLATE, "package_revision": SUMMARY_TEMPLATE}


async def test_a_revision_reads_as_a_manifest_summary(package):
    client, bucket, top_hash = package

    pinned = await client.read_resource(f"quilt+s3://{bucket}#package=team/data@{top_hash}")
    latest = await client.read_resource(f"quilt+s3://{bucket}#package=team/data@latest")

    summary = json.loads(pinned[0].text)
    assert pinned[0].mime_type == "application/json"
    assert summary["uri"] == f"quilt+s3://{bucket}#package=team/data@{top_hash}"
    info = summary["info"]
    assert (info["top_hash"], info["entry_count"], info["message"]) == (top_hash, 3, "m")
    assert [i["path"] for i in summary["top_level"]] == ["big.txt", "blob.bin", "docs/"]
    assert summary["top_level_complete"] is True
    assert json.loads(latest[0].text)["info"]["top_hash"] == top_hash


async def test_an_entry_reads_as_text_or_bytes_with_its_type(package):
    client, bucket, top_hash = package

    readme = await client.read_resource(f"quilt+s3://{bucket}#package=team/data@{top_hash}&path=docs/README.md")
    blob = await client.read_resource(f"quilt+s3://{bucket}#package=team/data@{top_hash[:8]}&path=blob.bin")

    assert (readme[0].text, readme[0].mime_type) == ("# Data\n\nHello.\n", "text/markdown")
    assert blob[0].mime_type == "application/octet-stream"
    assert blob[0].blob == base64.b64encode(bytes(range(256))).decode()


async def test_a_large_entry_is_cut_with_a_marker(package):
    client, bucket, top_hash = package

    big = await client.read_resource(f"quilt+s3://{bucket}#package=team/data@{top_hash}&path=big.txt")

    assert big[0].text.startswith("x" * RESOURCE_MAX_BYTES + "\n[TRUNCATED: showing the first")
    assert big[0].meta["truncated"] is True and big[0].meta["total_size"] == RESOURCE_MAX_BYTES + 10


async def test_a_missing_entry_says_what_is_missing(package):
    client, bucket, top_hash = package

    with pytest.raises(Exception) as raised:
        await client.read_resource(f"quilt+s3://{bucket}#package=team/data@{top_hash}&path=nope.txt")

    assert "nope.txt" in str(raised.value) and "Traceback" not in str(raised.value)


async def prompts(settings: Settings) -> dict[str, Any]:
    async with connect(build_server(settings, host=PluginHost.from_plugins({})), "legacy") as client:
        return {p.name: p for p in await client.list_prompts()}


async def test_the_prompts_and_read_only_mode_hides_the_one_that_writes():
    everything = await prompts(Settings())
    read_only = await prompts(Settings(read_only=True))

    assert set(everything) == {"summarize_package", "compare_revisions", "package_s3_prefix"}
    assert set(read_only) == {"summarize_package", "compare_revisions"}
    assert all(p.description and p.arguments for p in everything.values())


@pytest.mark.parametrize("protocol", ["legacy", "2026-07-28"])
async def test_a_prompt_names_the_tools_to_call_with_the_arguments_filled_in(protocol):
    async with connect(build_server(Settings(), host=PluginHost.from_plugins({})), protocol) as client:
        summary = await client.get_prompt("summarize_package", {"name": "lab/plankton", "registry": "s3://lab"})
        packaging = await client.get_prompt("package_s3_prefix", {"source": "s3://raw/2024/", "name": "lab/raw"})

    summary_text = summary.messages[0].content.text
    packaging_text = packaging.messages[0].content.text
    assert "lab/plankton" in summary_text and "registry='s3://lab'" in summary_text
    assert all(tool in summary_text for tool in ("package_info", "package_browse", "entry_read"))
    assert "object_list on s3://raw/2024/" in packaging_text and "package_create" in packaging_text
    assert "wait for confirmation" in packaging_text


@pytest.mark.parametrize("catalog_url", [None, "https://catalog.example.com"], ids=["no-catalog", "catalog"])
async def test_every_uri_package_links_hands_out_reads_back(s3_registry, protocol, infra, catalog_url):
    """Pinned and latest Quilt+ URIs of the package, a file and a directory (with ``&catalog=`` too) all read."""
    entries = [{"logical_key": "docs/a b&c.md", "text": "# A\n"}, {"logical_key": "top.txt", "text": "top"}]
    async with connect(build_server(iam_settings(s3_registry, catalog_url=catalog_url)), protocol) as client:
        await client.call_tool("package_create", {"name": "team/links", "entries": entries})
        for path, expected in (("", "top.txt"), ("docs/a b&c.md", "# A\n"), ("docs/", "docs/a b&c.md")):
            links = (await client.call_tool("package_links", {"name": "team/links", "path": path})).structured_content
            uris = [links["quilt_uri"], links["latest_quilt_uri"]]
            assert all(uris) and all(("&catalog=" in uri) == bool(catalog_url) for uri in uris)
            for uri in uris:
                read = await client.read_resource(uri)
                assert expected in read[0].text, uri
