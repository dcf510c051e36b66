"""The quilt-mcp side of ``throughput.py``: each workload driven over MCP stdio against ``quilt-mcp serve``.

Every workload launches a fresh server (iam backend, S3 on moto) and primes
it with a one-item ``package_list`` on a registry it does not measure (the
backend is opened and its S3 client made, nothing measured is cached), so
``cold`` means nothing of the measured package is in the server. Launching
is outside the clock except where a figure says "whole process".
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from stdio_rpc import StdioServer
from throughput_fixtures import BIG, BLOB_KEY, MID, Fixtures

COMMAND = [str(Path(sys.executable).with_name("quilt-mcp")), "serve"]
PAGE = 1000
CLIENTS = 20


def server_env(default_registry: str) -> dict[str, str]:
    """This environment (isolated, S3 on moto), the iam backend forced, ``default_registry`` first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUILT_MCP_")}
    env.update(QUILT_MCP_BACKEND="iam", QUILT_MCP_REGISTRIES=default_registry, QUILT_MCP_LOG_LEVEL="WARNING")
    return env


async def launch(fx: Fixtures, errlog: Path, registry: str) -> StdioServer:
    """A fresh, primed server whose default registry is ``registry``."""
    server = await StdioServer.start(COMMAND, server_env(registry), errlog)
    await server.call("package_list", registry=fx.prime, limit=1)
    return server


async def pages(server: StdioServer, tool: str, **arguments: Any) -> AsyncIterator[dict[str, Any]]:
    """Every page of a paged tool, following ``next_cursor``; each tool result as it comes."""
    cursor = None
    while True:
        result = await server.call(tool, **arguments, **({"cursor": cursor} if cursor else {}))
        yield result
        cursor = result["structuredContent"].get("next_cursor")
        if not cursor:
            return


async def top_level(fx: Fixtures, errlog: Path) -> dict[str, Any]:
    """The first page (100) of the big package's top level, cold."""
    server = await launch(fx, errlog, fx.big)
    start = time.perf_counter()
    result = await server.call("package_browse", name=BIG)
    seconds = time.perf_counter() - start
    await server.close()
    return {"seconds": seconds, "summary": [item["path"] for item in result["structuredContent"]["items"]]}


async def walk(fx: Fixtures, errlog: Path, registry: str, name: str) -> dict[str, Any]:
    """Every entry of a package, pages of 1,000 (``recursive``), cold: time, server CPU and memory,
    and the size per entry of the first page in both forms (structured, and its text copy)."""
    server = await launch(fx, errlog, registry)
    base = server.memory()["rss"]
    cpu = server.cpu_seconds()
    keys: list[str] = []
    sizes: dict[str, float] = {}
    start = time.perf_counter()
    async for result in pages(server, "package_browse", name=name, recursive=True, limit=PAGE):
        page = result["structuredContent"]
        if not sizes:
            count = len(page["items"])
            sizes = {
                "structured": len(json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()) / count,
                "text": len(result["content"][0]["text"].encode()) / count,
                "message": server.last_line_bytes / count,
            }
        keys.extend(item["path"] for item in page["items"])
    seconds = time.perf_counter() - start
    cpu = server.cpu_seconds() - cpu
    memory = server.memory()
    await server.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak": memory["peak"],
        "base": base,
        "bytes_per_entry": sizes,
        "summary": [len(keys), keys[0], keys[-1]],
    }


async def create(fx: Fixtures, errlog: Path, name: str, *, prefix: bool = False) -> dict[str, Any]:
    """``package_create`` of every source object, without copying, as a new package ``name``: one
    entry per object, or (``prefix``) one source naming their prefix, placed under ``data/``."""
    server = await launch(fx, errlog, fx.write)
    if prefix:
        entries = [{"logical_key": "data/", "source": fx.sources[0][1].rsplit("/", 1)[0] + "/"}]
    else:
        entries = [{"logical_key": key, "source": uri} for key, uri in fx.sources]
    cpu = server.cpu_seconds()
    start = time.perf_counter()
    result = await server.call("package_create", name=name, entries=entries)
    seconds = time.perf_counter() - start
    cpu = server.cpu_seconds() - cpu
    await server.close()
    return {"seconds": seconds, "cpu": cpu, "summary": result["structuredContent"]["entry_count"]}


async def list_packages(fx: Fixtures, errlog: Path) -> dict[str, Any]:
    """Every package of the many-package registry, pages of 1,000: the whole process (launch to exit)
    and the listing calls alone."""
    start = time.perf_counter()
    server = await launch(fx, errlog, fx.many)
    calls_start, cpu = time.perf_counter(), server.cpu_seconds()
    names = [
        item["name"]
        async for result in pages(server, "package_list", limit=PAGE)
        for item in result["structuredContent"]["items"]
    ]
    calls, cpu = time.perf_counter() - calls_start, server.cpu_seconds() - cpu
    await server.close()
    process = time.perf_counter() - start
    return {"seconds": calls, "cpu": cpu, "process_seconds": process, "summary": [len(names), min(names), max(names)]}


async def concurrently(server: StdioServer, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    """Run ``calls`` from ``CLIENTS`` concurrent clients; the server's CPU and the wall time per call."""
    queue = list(reversed(calls))

    async def client() -> None:
        while queue:
            tool, args = queue.pop()
            await server.call(tool, **args)

    cpu = server.cpu_seconds()
    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    wall = time.perf_counter() - start
    return {"cpu": (server.cpu_seconds() - cpu) / len(calls), "wall": wall / len(calls)}


def load_calls(fx: Fixtures) -> dict[str, tuple[str, dict[str, Any]]]:
    """The two calls measured under load: a one-level browse (a page of 100) and a 64 KiB read."""
    return {
        "browse": ("package_browse", {"name": MID, "path": fx.mid_dir}),
        "read": ("entry_read", {"name": MID, "logical_key": BLOB_KEY}),
    }


async def under_load(fx: Fixtures, errlog: Path, registry: str, calls: int) -> dict[str, Any]:
    """On the warm mid-size package in ``registry``: server CPU and wall time per call of each of
    ``load_calls``, ``calls`` of a kind from 20 concurrent clients (``browse_cpu``, ``read_wall``, ...)."""
    server = await launch(fx, errlog, registry)
    result: dict[str, Any] = {}
    for kind, (tool, args) in load_calls(fx).items():
        await server.call(tool, **args)
        figures = await concurrently(server, [(tool, args)] * calls)
        result.update({f"{kind}_{figure}": value for figure, value in figures.items()})
    await server.close()
    return result


async def memory_over_calls(fx: Fixtures, errlog: Path, registry: str, checkpoints: list[int]) -> dict[str, Any]:
    """Resident memory of one server after each of ``checkpoints`` (ascending call counts) of
    browses and reads alternating under the same load; ``rss`` lists ``(calls, bytes)``."""
    server = await launch(fx, errlog, registry)
    browse, read = load_calls(fx).values()
    done, rss = 0, []
    for checkpoint in checkpoints:
        pairs = (checkpoint - done) // 2
        if pairs:
            await concurrently(server, [browse, read] * pairs)
        done += 2 * pairs
        rss.append((done, server.memory()["rss"]))
    await server.close()
    return {"rss": rss}


async def bare_under_load(command: list[str], errlog: Path, calls: int) -> dict[str, Any]:
    """The same load on a one-tool fastmcp server (``echo`` of a short text): the protocol's own CPU per call."""
    server = await StdioServer.start(command, server_env(""), errlog)
    echo = ("echo", {"text": "x" * 64})
    await server.call("echo", **echo[1])
    figures = await concurrently(server, [echo] * calls)
    await server.close()
    return {f"echo_{figure}": value for figure, value in figures.items()}
