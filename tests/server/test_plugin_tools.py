"""Tools a plugin contributes through ``quilt_mcp_tools``: listed, called with the backend, hidden when
they write in read-only mode; a badly named or colliding tool is skipped, not fatal."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

import quilt_mcp_iam.plugin as iam_plugin
from quilt_mcp import capabilities as cap
from quilt_mcp.errors import ConflictError
from quilt_mcp.models import EntrySource
from quilt_mcp.ops import QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.settings import Settings
from quilt_mcp.tools_api import PluginTool

from .conftest import connect, error_text, iam_settings, open_iam
from .fakes import InfoPlugin, restricted


class Count(BaseModel):
    registry: str
    packages: int


def count_packages(
    ops: QuiltOps, registry: Annotated[str, Field(description="Registry to count in.", max_length=1024)]
) -> Count:
    return Count(registry=registry, packages=len(ops.list_packages(registry, limit=1000).items))


def refuse(ops: QuiltOps, reason: Annotated[str, Field(description="Why.", max_length=100)]) -> Count:
    raise ConflictError(f"Refused: {reason}.", "Try again later.")


COUNT = PluginTool("extras_count", "Count the packages in a registry.", count_packages, requires=frozenset({cap.SEARCH}))
REFUSE = PluginTool("extras_refuse", "Always refuses.", refuse, read_only=False, idempotent=False)
BAD_NAME = PluginTool("Extras-Bad", "Not snake case.", count_packages)
TAKEN = PluginTool("package_list", "Collides with a core tool.", count_packages)


def extras_host() -> PluginHost:
    extras = InfoPlugin("extras", frozenset({cap.READ}), [COUNT, REFUSE, BAD_NAME, TAKEN])
    return PluginHost.from_plugins({"iam": iam_plugin, "extras": extras})


@pytest.fixture
def local_registry(infra: Any) -> str:
    return str(infra.new_dir("registry"))


async def test_plugin_tools_are_listed_after_the_core_tools_and_skipped_when_misnamed_or_taken():
    async with connect(build_server(Settings(), host=extras_host()), "legacy") as client:
        tools = await client.list_tools()
    async with connect(build_server(Settings(read_only=True), host=extras_host()), "legacy") as client:
        read_only = [t.name for t in await client.list_tools()]

    names = [t.name for t in tools]
    assert names[-2:] == ["extras_count", "extras_refuse"]
    assert names.count("package_list") == 1 and "Extras-Bad" not in names
    assert tools[-2].input_schema["properties"]["registry"]["description"] == "Registry to count in."
    assert tools[-2].output_schema["properties"]["packages"]["type"] == "integer"
    assert (tools[-2].annotations.read_only_hint, tools[-1].annotations.read_only_hint) == (True, False)
    assert "extras_count" in read_only and "extras_refuse" not in read_only


async def test_a_plugin_tool_runs_with_the_chosen_backend(local_registry, protocol):
    ops = open_iam(local_registry)
    ops.create_revision(local_registry, "team/one", [EntrySource(logical_key="a", text="1")])
    server = build_server(iam_settings(local_registry), host=extras_host(), ops=ops)

    async with connect(server, protocol) as client:
        result = await client.call_tool("extras_count", {"registry": local_registry})

    assert result.structured_content == {"registry": local_registry, "packages": 1}


async def test_a_plugin_tool_reports_domain_errors_and_missing_capabilities(local_registry, protocol):
    ops = restricted(open_iam(local_registry), drop={cap.SEARCH})
    server = build_server(iam_settings(local_registry), host=extras_host(), ops=ops)

    async with connect(server, protocol) as client:
        refused = await error_text(client, "extras_refuse", reason="busy")
        unsupported = await error_text(client, "extras_count", registry=local_registry)

    assert refused == "Refused: busy. Try again later."
    assert unsupported.startswith("The iam backend cannot search packages: it lacks the 'search' capability.")
