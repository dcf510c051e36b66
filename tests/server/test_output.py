"""A browse page's tool result, as the MCP SDK puts it on the wire: the same bytes whatever builds it."""

from __future__ import annotations

import json

from fastmcp.server.mixins.mcp_operations import _normalize_call_tool_result
from fastmcp.tools import ToolResult
from mcp.server.runner import _dump_result
from mcp_types import methods

from quilt_mcp.models import browse_page
from quilt_mcp.server.output import page_notice, with_notice

ROWS = [
    ("a dir/", 30, None),
    ('café/日本 "q" \\ \t\x01\x7f.csv', 12, {"type": "sha2-256-chunked", "value": "U0P0yeOj1B4mC+/nGgwdH1gaft7rPeBXDyv/Q/gu2QU="}),
    ("other.bin", 0, {"type": "SHA256", "value": "ab" * 32}),
    ("nohash.txt", None, None),
]

TEXT = (
    '{"items":[{"path":"a dir/","kind":"directory","size":30},'
    '{"path":"café/日本 \\"q\\" \\\\ \\t\\u0001\x7f.csv","kind":"file","size":12,'
    '"hash":"U0P0yeOj1B4mC+/nGgwdH1gaft7rPeBXDyv/Q/gu2QU="},'
    '{"path":"other.bin","kind":"file","size":0,"hash":"' + "ab" * 32 + '","hash_type":"SHA256"},'
    '{"path":"nohash.txt","kind":"file","size":null}],'
    '"next_cursor":"CUR","name":"team/pkg","top_hash":"' + "c" * 64 + '","path":"","hash_type":"sha2-256-chunked"}'
)
NOTICE = (
    "[MORE RESULTS: this page holds 4 items and more remain. "
    "Call package_browse again with the same arguments and cursor='CUR' for the next page.]"
)


def wire(result: ToolResult, version: str) -> str:
    """The ``tools/call`` result as the SDK's runner serializes it (fastmcp's normalizing, then the runner's)."""
    dumped = _dump_result(_normalize_call_tool_result(result.to_mcp_result()))
    return json.dumps(methods.serialize_server_result("tools/call", version, dumped), ensure_ascii=False)


def test_a_browse_page_reaches_the_wire_unchanged_in_both_forms():
    page = browse_page(ROWS, name="team/pkg", top_hash="c" * 64, path="", next_cursor="CUR")
    result = with_notice(page, page_notice("package_browse", page))

    assert [block.text for block in result.content] == [TEXT, NOTICE]
    assert json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":")) == TEXT
    # fastmcp's own ToolResult construction (which re-serializes the structured
    # content) puts the same bytes on the wire, in every protocol era.
    built_by_fastmcp = ToolResult(content=result.content, structured_content=page.model_dump(mode="json"))
    for version in ("2024-11-05", "2025-06-18", "2026-07-28"):
        assert wire(result, version) == wire(built_by_fastmcp, version)
    assert '"structuredContent": {"items": [{"path": "a dir/"' in wire(result, "2025-06-18")
