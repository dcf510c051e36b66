"""auth_status: the chosen backend, who it acts as and why; and the backend is chosen once, lazily."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest
from quilt_mcp import capabilities as cap
from quilt_mcp.plugins import ENTRY_POINT_GROUP, PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.settings import Settings

from .conftest import connect, iam_settings, open_iam
from .fakes import InfoPlugin, OpeningPlugin


@pytest.fixture
def local_registry(infra: Any) -> str:
    return str(infra.new_dir("registry"))


async def status(server, protocol: str) -> dict[str, Any]:
    async with connect(server, protocol) as client:
        result = await client.call_tool("auth_status", {})
    return result.structured_content


async def test_shows_the_forced_backend_its_identity_and_every_plugins_answer(local_registry, protocol):
    shown = await status(build_server(iam_settings(local_registry)), protocol)

    assert shown["ok"] and shown["backend"] == "iam" and shown["identity"]
    assert shown["reason"] == "forced by --backend or QUILT_MCP_BACKEND=iam"
    assert set(shown["capabilities"]) >= {cap.READ, cap.WRITE, cap.LOCAL_REGISTRY}
    assert shown["default_registry"] == local_registry and shown["read_only"] is False
    installed = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert {d["plugin"] for d in shown["detections"]} == installed


async def test_explains_why_the_winner_won(local_registry, protocol):
    plugin = OpeningPlugin("mine", open_iam(local_registry), registry=local_registry)
    host = PluginHost.from_plugins({"mine": plugin, "other": InfoPlugin("other", frozenset({cap.READ}))})

    shown = await status(build_server(Settings(read_only=True), host=host), protocol)

    assert (shown["backend"], shown["identity"]) == ("iam", "mine-identity")
    assert shown["reason"] == "highest priority (150): test credential"
    assert shown["default_registry"] == local_registry and shown["read_only"] is True
    assert [(d["plugin"], d["usable"]) for d in shown["detections"]] == [("mine", True), ("other", False)]


async def test_without_a_usable_backend_says_what_is_wrong_and_what_to_do(protocol):
    host = PluginHost.from_plugins({"other": InfoPlugin("other", frozenset({cap.READ}))})

    shown = await status(build_server(Settings(), host=host), protocol)

    assert shown["ok"] is False and shown["backend"] is None
    assert shown["problem"].startswith("No backend can authenticate. other: nothing detected")
    assert "other: Set OTHER_TOKEN." in shown["advice"], "the advice is the plugin's own BackendInfo.setup_hint"


async def test_an_injected_backend_is_reported_as_such(local_registry, protocol):
    shown = await status(build_server(iam_settings(local_registry), ops=open_iam(local_registry)), protocol)

    assert shown["backend"] == "iam" and shown["reason"] == "supplied by the application that built the server"


async def test_the_backend_is_opened_on_first_need_and_then_kept(local_registry, protocol):
    plugin = OpeningPlugin("mine", open_iam(local_registry), registry=local_registry)
    server = build_server(Settings(), host=PluginHost.from_plugins({"mine": plugin}))

    async with connect(server, protocol) as client:
        await client.list_tools()
        await client.list_resource_templates()
        before = plugin.opened
        await client.call_tool("package_list", {})
        await client.call_tool("auth_status", {})

    assert (before, plugin.opened) == (0, 1)
