"""What ``tools/list`` shows: a tool for every operation, described, bounded, annotated, in a stable order."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from quilt_mcp.ops import OPERATIONS, WRITE_OPERATIONS, QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.server.tools import META_KEY, QuiltTools
from quilt_mcp.settings import Settings

from .conftest import PROTOCOLS, connect
from .fakes import OpeningPlugin

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SERVER_TOOLS = {"auth_status", "package_links"}


def empty_host() -> PluginHost:
    return PluginHost.from_plugins({})


async def list_tools(settings: Settings = Settings(), protocol: str = "legacy", host: PluginHost | None = None):
    async with connect(build_server(settings, host=host or empty_host()), protocol) as client:
        return await client.list_tools()


def operation_of(tool) -> str | None:
    return (tool.meta or {}).get(META_KEY, {}).get("operation")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_every_quiltops_operation_has_a_listed_tool(protocol):
    tools = await list_tools(protocol=protocol)

    exposed = {operation_of(t) for t in tools} - {None}
    assert exposed == set(OPERATIONS), f"operations without a tool: {sorted(set(OPERATIONS) - exposed)}"
    public = {n for n, v in vars(QuiltOps).items() if callable(v) and not n.startswith("_")}
    assert set(OPERATIONS) == public
    assert {t.name for t in tools if operation_of(t) is None} == SERVER_TOOLS


async def test_tool_names_are_snake_case_and_unique():
    names = [t.name for t in await list_tools()]

    assert all(SNAKE_CASE.match(n) for n in names), names
    assert len(names) == len(set(names))


async def test_tools_are_listed_in_a_stable_order_the_order_they_are_defined():
    first = [t.name for t in await list_tools()]
    second = [t.name for t in await list_tools(protocol=PROTOCOLS[1])]

    assert first == second == [spec.name for spec, _ in QuiltTools(None).specs()]  # type: ignore[arg-type]


async def test_every_argument_has_a_description_and_every_open_ended_one_a_bound():
    for tool in await list_tools():
        assert tool.description and tool.title, tool.name
        for arg, schema in tool.input_schema.get("properties", {}).items():
            assert schema.get("description"), f"{tool.name}.{arg} has no description"
            flat = [schema, *schema.get("anyOf", [])]
            types = {s.get("type") for s in flat}
            if "string" in types and "enum" not in schema and "const" not in schema:
                assert any("maxLength" in s for s in flat), f"{tool.name}.{arg} has no maxLength"
            if "integer" in types:
                assert "minimum" in schema and ("maximum" in schema or arg == "offset"), f"{tool.name}.{arg}"
            if "array" in types:
                assert any("maxItems" in s for s in flat), f"{tool.name}.{arg} has no maxItems"


async def test_every_tool_declares_an_object_output_schema():
    for tool in await list_tools():
        assert tool.output_schema and tool.output_schema.get("type") == "object", tool.name


async def test_annotations_say_which_tools_write_destroy_or_repeat_safely():
    tools = {t.name: t for t in await list_tools()}

    for tool in tools.values():
        hints = tool.annotations
        writes = operation_of(tool) in WRITE_OPERATIONS
        assert hints.read_only_hint is (not writes), tool.name
        assert hints.destructive_hint is (operation_of(tool) in {"delete_revision", "delete_package"}), tool.name
        assert hints.open_world_hint is not None and hints.idempotent_hint is not None, tool.name
    assert tools["package_create"].annotations.idempotent_hint is False
    assert tools["revision_delete"].annotations.idempotent_hint is False
    assert tools["package_delete"].annotations.idempotent_hint is True
    assert tools["auth_status"].annotations.open_world_hint is False


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_read_only_mode_hides_every_tool_that_writes(protocol):
    tools = await list_tools(Settings(read_only=True), protocol)

    assert {operation_of(t) for t in tools} == set(OPERATIONS) - WRITE_OPERATIONS | {None}
    assert all(t.annotations.read_only_hint for t in tools)


async def test_read_only_mode_refuses_a_call_to_a_hidden_tool():
    async with connect(build_server(Settings(read_only=True), host=empty_host()), "legacy") as client:
        result = await client.call_tool("package_delete", {"name": "team/data"}, raise_on_error=False)

    assert result.is_error
    assert "Unknown tool" in result.content[0].text


def test_read_only_mode_comes_from_the_environment():
    assert Settings.from_env({"QUILT_MCP_READ_ONLY": "1"}).read_only
    assert not Settings.from_env({}).read_only


async def test_listing_tools_neither_detects_nor_opens_a_backend():
    plugin = OpeningPlugin("lazy", ops=object())
    host = PluginHost.from_plugins({"lazy": plugin})

    await list_tools(host=host)

    assert plugin.opened == 0


def test_building_the_server_imports_neither_boto3_nor_quilt3():
    code = (
        "import sys; from quilt_mcp.server import build_server; build_server();"
        "print(sorted(m for m in ('quilt3', 'boto3', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "[]"


def nested_properties(schema: dict, defs: dict, where: str = ""):
    """Every (path, property schema) in ``schema``, following $ref, items and anyOf into nested objects."""
    if "$ref" in schema:
        yield from nested_properties(defs[schema["$ref"].split("/")[-1]], defs, where)
        return
    for option in schema.get("anyOf", []):
        yield from nested_properties(option, defs, where)
    if "items" in schema:
        yield from nested_properties(schema["items"], defs, f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        yield f"{where}.{name}", prop
        yield from nested_properties(prop, defs, f"{where}.{name}")


async def test_nested_arguments_are_described_and_logical_keys_bounded():
    undescribed, unbounded = [], []
    for tool in await list_tools():
        defs = tool.inputSchema.get("$defs", {})
        for path, prop in nested_properties(tool.inputSchema, defs, tool.name):
            target = defs[prop["$ref"].split("/")[-1]] if "$ref" in prop else prop
            if not (prop.get("description") or target.get("description")):
                undescribed.append(path)
            if path.endswith(".logical_key") and "maxLength" not in prop:
                unbounded.append(path)

    assert undescribed == [] and unbounded == [], (undescribed, unbounded)
