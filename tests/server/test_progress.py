"""Long work reports progress to a client that asks for it."""

from __future__ import annotations

from typing import Any

from quilt_mcp.server import build_server

from .conftest import connect, iam_settings


async def test_creating_a_package_from_many_files_reports_progress_up_to_the_total(infra: Any, protocol: str):
    sources = infra.new_dir("sources")
    for n in range(40):
        (sources / f"file-{n:02}.csv").write_text(f"n,{n}\n")
    registry = str(infra.new_dir("registry"))
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        updates.append((done, total, message))

    async with connect(build_server(iam_settings(registry)), protocol, progress_handler=on_progress) as client:
        result = await client.call_tool(
            "package_create", {"name": "team/many", "entries": [{"logical_key": "data/", "source": str(sources)}]}
        )

    assert result.structured_content["entry_count"] == 40
    assert updates, "no progress notification arrived"
    final_done, final_total, _ = updates[-1]
    assert final_total and final_done == final_total  # the backend's unit: files or bytes
    assert [done for done, _, _ in updates] == sorted(done for done, _, _ in updates)
    assert all(message for _, _, message in updates)


async def test_recursive_browse_of_a_large_package_reports_progress(infra: Any, protocol: str):
    sources = infra.new_dir("sources")
    for n in range(1200):
        (sources / f"part-{n:04}.txt").write_text("x")
    registry = str(infra.new_dir("registry"))
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        updates.append((done, total, message))

    server = build_server(iam_settings(registry))
    async with connect(server, protocol) as client:
        await client.call_tool(
            "package_create", {"name": "team/big", "entries": [{"logical_key": "d/", "source": str(sources)}]}
        )
    async with connect(server, protocol, progress_handler=on_progress) as client:
        result = await client.call_tool("package_browse", {"name": "team/big", "recursive": True, "limit": 1000})

    assert len(result.structured_content["items"]) == 1000
    assert updates, "no progress notification arrived"
    assert updates[-1][:2] == (1000, 1000)
    assert all(message for _, _, message in updates)
