"""Hostile values in any argument of any tool get a clear input error, never "This is a bug"."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client

from quilt_mcp.server import build_server

from .conftest import connect, iam_settings

HOSTILE: dict[str, Any] = {
    "NUL byte": "a\x00b",
    "superscript digit": "²",
    "segment over the file system's limit": "a" * 300,
    "path of a process file": "/proc/self/environ",
    "newline-terminated name": "team/data\n",
    "offset of 2**63": 2**63,
    "largest signed 64-bit value": 2**63 - 1,
}
"""Values a fuzz found internal errors with; a file's path is added per registry. (Lone surrogates cannot
cross the in-memory transport: tests/core/test_pipeline_inputs.py sends them to the pipeline.)"""

VALID = {
    "name": "team/data", "logical_key": "f.txt", "before": "latest", "query": "x", "ref": "latest",
    "entries": [{"logical_key": "g.txt", "text": "t"}],
}  # fmt: skip


def variants(arg: str, value: Any) -> list[Any]:
    """``value`` placed where argument ``arg`` takes it: as itself, a list item, a metadata key and value,
    or each field of an entry."""
    if arg in ("entries", "add"):
        entries = [{"logical_key": value, "text": "t"}, {"logical_key": "g", "text": value}]
        return [*([e] for e in entries), [{"logical_key": "g", "source": value}]]
    if arg == "remove":
        return [[value]]
    if arg == "user_meta":
        return [{str(value): value}]
    return [value]


def _takes_int(schema: dict[str, Any]) -> bool:
    types = [schema.get("type"), *(s.get("type") for s in schema.get("anyOf", []))]
    return "integer" in types


async def assert_no_internal_error(client: Client, registry: str, hostile: dict[str, Any]) -> int:
    """Send every ``hostile`` value through every argument of every tool; the number of calls made."""
    calls = 0
    for tool in await client.list_tools():
        properties = tool.input_schema.get("properties", {})
        base = {k: v for k, v in VALID.items() if k in properties}
        if "uri" in properties:
            base["uri"] = registry
        for arg in properties:
            for label, value in hostile.items():
                if isinstance(value, int) != _takes_int(properties[arg]):
                    continue
                for variant in variants(arg, value):
                    result = await client.call_tool(tool.name, {**base, arg: variant}, raise_on_error=False)
                    calls += 1
                    text = result.content[0].text if result.is_error else ""
                    assert "This is a bug" not in text, f"{tool.name}({arg}={label}): {text}"
    return calls


@pytest.mark.parametrize("kind", ["local", "s3"])
async def test_hostile_values_in_every_argument_get_input_errors(kind, infra, monkeypatch):
    monkeypatch.chdir(infra.new_dir("cwd"))  # a relative path given as registry lands here
    registry = str(infra.new_dir("registry")) if kind == "local" else f"s3://{infra.new_bucket()}"
    a_file = infra.new_dir("files") / "plain-file"
    a_file.write_text("not a directory")
    async with connect(build_server(iam_settings(registry)), "legacy") as client:
        created = await client.call_tool(
            "package_create", {"name": "team/data", "entries": [{"logical_key": "f.txt", "text": "héllo"}]}
        )
        assert not created.is_error
        hostile = {**HOSTILE, "a file's path": str(a_file)}
        assert await assert_no_internal_error(client, registry, hostile) > 150
