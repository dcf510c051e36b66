"""Every tool and resource through real streamable HTTP, on both protocol versions, with a verified token."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Served
from tests.http.support import mcp_client


async def test_every_tool_answers_over_http_for_a_verified_caller(server: Served, protocol: str):
    name = f"team/http-{protocol.replace('-', '')}"
    bucket = server.registry.removeprefix("s3://")
    called: dict[str, dict[str, Any]] = {}
    async with mcp_client(server.url, server.token(), protocol) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}

        async def call(tool: str, **arguments: Any) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, f"{tool} failed: {result.content[0].text}"
            called[tool] = result.structured_content
            return result.structured_content

        first = await call("package_create", name=name, entries=[{"logical_key": "a.txt", "text": "hello"}])
        second = await call(
            "package_update", name=name, add=[{"logical_key": "b/c.txt", "text": "more"}], message="second"
        )
        await call("package_list")
        await call("package_revisions", name=name)
        await call("package_resolve", name=name)
        await call("package_info", name=name)
        await call("package_browse", name=name, recursive=True)
        await call("entry_info", name=name, logical_key="a.txt")
        read = await call("entry_read", name=name, logical_key="a.txt")
        await call("entry_url", name=name, logical_key="a.txt")
        diff = await call("package_diff", name=name, before=first["top_hash"], after=second["top_hash"])
        await call("package_search", query="http")
        await call("package_links", name=name)
        await call("bucket_list")
        objects = await call("object_list", uri=f"s3://{bucket}/", recursive=True)
        some_object = next(item["uri"] for item in objects["items"] if item["kind"] == "object")
        await call("object_info", uri=some_object)
        await call("object_read", uri=some_object, max_bytes=64)
        status = await call("auth_status")
        await call("revision_delete", name=name, ref=first["top_hash"])
        await call("package_delete", name=name)
        templates = await client.list_resource_templates()

    assert called.keys() == listed, f"not called over HTTP: {sorted(listed - called.keys())}"
    assert read["content"] == "hello"
    assert diff["added"] == ["b/c.txt"]
    assert status["ok"] and status["backend"] == "iam"
    assert status["caller"] == "alice" and status["identity"], "auth_status shows the caller beside the backend's identity"
    assert templates.resource_templates, "no resource templates listed over HTTP"


async def test_package_resources_read_over_http(server: Served, protocol: str):
    name = f"team/res-{protocol.replace('-', '')}"
    bucket = server.registry.removeprefix("s3://")
    async with mcp_client(server.url, server.token(), protocol) as client:
        created = await client.call_tool(
            "package_create", {"name": name, "entries": [{"logical_key": "r.txt", "text": "resource"}]}
        )
        revision = f"quilt+s3://{bucket}#package={name}@{created.structured_content['top_hash']}"
        summary = await client.read_resource(revision)
        entry = await client.read_resource(f"{revision}&path=r.txt")

    assert name in summary.contents[0].text
    assert entry.contents[0].text == "resource"
