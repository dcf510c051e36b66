"""Turning results into tool output, with a clear marker whenever a result is cut.

Every tool returns a Pydantic model: clients get it as structured content
and as JSON text. When more remains - another page, unread bytes, diff lists
cut at the limit - a second text block says so and how to get the rest, so a
model reading only the text can never mistake a part for the whole.
"""

from __future__ import annotations

from fastmcp.tools import ToolResult
from mcp_types import TextContent
from pydantic import BaseModel

from quilt_mcp.models import PackageDiff, Page, ReadResult


def with_notice(result: BaseModel, notice: str | None) -> ToolResult:
    """A tool result holding ``result`` (structured, and as JSON text) plus the ``notice`` text block, if any.

    The result is serialized here once for each form (fastmcp would serialize a
    returned model three times), and the ``ToolResult`` is built without its
    ``__init__``, which would walk the structured content once more to make it
    JSON-able: it already is.
    """
    content = [TextContent(type="text", text=result.model_dump_json())]
    if notice is not None:
        content.append(TextContent(type="text", text=notice))
    return ToolResult.model_construct(content=content, structured_content=result.model_dump(mode="json"))


def page_notice(tool: str, page: Page) -> str | None:
    """Marker for a page that is not the last one."""
    if page.next_cursor is None:
        return None
    return (
        f"[MORE RESULTS: this page holds {len(page.items)} items and more remain. "
        f"Call {tool} again with the same arguments and cursor={page.next_cursor!r} for the next page.]"
    )


def read_notice(tool: str, result: ReadResult) -> str | None:
    """Marker for a read cut at its byte limit."""
    if not result.truncated:
        return None
    end = result.offset + result.length
    return (
        f"[TRUNCATED: returned bytes {result.offset}-{end} of {result.total_size}; "
        f"{result.total_size - end} bytes remain. Call {tool} again with offset={end} to read on.]"
    )


def diff_notice(diff: PackageDiff) -> str | None:
    """Marker for a diff whose lists were cut at the limit."""
    if not diff.truncated:
        return None
    return (
        f"[TRUNCATED: lists cut at the limit; in total {diff.added_count} added, {diff.removed_count} removed, "
        f"{diff.changed_count} changed. Call package_diff again with a larger limit for more.]"
    )
