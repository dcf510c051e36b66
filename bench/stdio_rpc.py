"""A minimal MCP client over stdio for benchmarks: one server subprocess, many requests in flight.

The ``mcp`` SDK client would add its own validation to every figure and
hides the server's process id; this client only writes JSON-RPC lines and
matches answers to requests by id, so what it times is the server and the
pipe. It knows the server's pid, so it reads the server's own CPU time and
resident memory from ``/proc``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = "2025-11-25"
LINE_LIMIT = 1 << 28
TICKS = os.sysconf("SC_CLK_TCK")


class ToolError(RuntimeError):
    """A tool call answered with an error (JSON-RPC or ``isError``)."""


class StdioServer:
    """A running MCP server subprocess spoken to over stdin/stdout; stderr goes to ``errlog``."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())
        self.last_line_bytes = 0

    @classmethod
    async def start(cls, command: list[str], env: dict[str, str], errlog: Path) -> StdioServer:
        """Launch ``command`` and complete the MCP handshake."""
        with errlog.open("ab") as err:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                env=env,
                limit=LINE_LIMIT,
            )
        server = cls(process)
        await server.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "quilt-mcp-throughput-bench", "version": "1"},
            },
        )
        server._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return server

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            message = json.loads(line)
            future = self._waiting.pop(message.get("id"), None) if "id" in message else None
            if future is not None and not future.done():
                self.last_line_bytes = len(line)
                future.set_result(message)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(RuntimeError(f"server exited (status {self.process.returncode})"))

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one request and return its ``result``."""
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        message = await future
        if "error" in message:
            raise ToolError(f"{method}: {message['error']}")
        return message["result"]

    async def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call a tool; its result (``content``, ``structuredContent``), or ``ToolError``."""
        result = await self.request("tools/call", {"name": tool, "arguments": arguments})
        if result.get("isError"):
            raise ToolError(f"{tool}: {result['content'][0]['text'][:500]}")
        return result

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def memory(self) -> dict[str, int]:
        """The server's resident memory now (``rss``) and its peak so far (``peak``), in bytes."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values["rss" if line.startswith("VmRSS") else "peak"] = int(line.split()[1]) * 1024
        return values

    async def close(self) -> int:
        """Close stdin (the server's signal to exit) and wait for it; kill it after 30 s."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        await self._reader
        return self.process.returncode or 0
