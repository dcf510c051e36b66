"""Every tool and resource through real streamable HTTP, on both protocol versions, with a verified token.

Every tool runs on the iam backend (``--auth jwt``) and on the platform
backend (``--auth catalog`` on the reference catalog, as team user ann).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from quilt_mcp.http.app import create_app
from quilt_mcp.settings import Settings
from tests.http.conftest import Served
from tests.http.support import http_settings, mcp_client, serving
from tests.http.team import Team


@dataclass(frozen=True)
class Caller:
    """A running server, a token it accepts, the caller's default registry and the backend that acts."""

    url: str
    token: str
    registry: str
    backend: str
    subject: str


@pytest.fixture(scope="module")
def platform_server(team: Team) -> Iterator[str]:
    """A catalog-mode server (platform backend) on the team's catalog; ann's bucket is the default registry."""
    settings = Settings(registries=(f"s3://{team.buckets['ann']}",))
    http = lambda port: http_settings(port, auth="catalog", registry_url=team.catalog.url)  # noqa: E731
    with serving(lambda port: create_app(settings, http(port))) as url:
        yield url


@pytest.fixture(params=["iam", "platform"])
def caller(request: pytest.FixtureRequest) -> Caller:
    if request.param == "iam":
        server: Served = request.getfixturevalue("server")
        return Caller(server.url, server.token(), server.registry, "iam", "alice")
    team: Team = request.getfixturevalue("team")
    url = request.getfixturevalue("platform_server")
    return Caller(url, team.catalog.token_for("ann"), f"s3://{team.buckets['ann']}", "platform", "ann")


async def test_every_tool_answers_over_http_for_a_verified_caller(caller: Caller, protocol: str):
    name = f"team/http-{protocol.replace('-', '')}"
    bucket = caller.registry.removeprefix("s3://")
    called: dict[str, dict[str, Any]] = {}
    async with mcp_client(caller.url, caller.token, protocol) as client:
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
    assert status["ok"] and status["backend"] == caller.backend
    assert status["caller"] == caller.subject and status["identity"], "auth_status shows the caller beside the backend's identity"
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
