"""``quilt-mcp serve --transport http`` under concurrent load, beside a minimal fastmcp HTTP server.

For 1 and 2 worker processes, each server is started once and then measured
in interleaved rounds (``rounds.interleaved``), so drift in machine load
touches every variant alike:

- ``quilt-mcp``: iam backend on a moto S3 server, ``--auth jwt`` with an
  HS256 secret, tools ``package_browse`` (recursive, a 40-entry package) and
  ``entry_read`` (a small text entry);
- ``minimal fastmcp``: one trivial tool (``echo``), stateless HTTP, the same
  uvicorn worker count and HTTP protocol (``TCP_NODELAY``, as quilt-mcp
  serves), no auth: the floor any fastmcp HTTP server pays.

Each cell sends ``--requests`` ``tools/call`` requests from C concurrent
clients (1, 8, 32), each a plain JSON-RPC POST over keep-alive connections
(stateless streamable HTTP needs no session), and reports requests/s and
p50/p99 latency. Tokens cycle over ``--subjects`` distinct JWT subjects, so the
per-caller backend cache is exercised as in a team. Finally a fresh 1-worker
quilt-mcp server is started and its resident memory (all its processes) read
before any request, after its first 1,000 and after 10,000
(``--memory-requests``).

Run: ``uv run python bench/http_load.py [--requests 400] [--repeat 2] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import jwt

sys.path.insert(0, str(Path(__file__).parent))
from on_moto import moto_s3  # noqa: E402
from rounds import interleaved  # noqa: E402

from quilt_mcp.http.nodelay import HTTP_PROTOCOL  # noqa: E402

ISSUER = "https://bench.issuer"
SECRET = "bench-secret-" + "x" * 32
PACKAGE = "bench/http"
CONCURRENCY = (1, 8, 32)
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

MINIMAL_SERVER = """\
from fastmcp import FastMCP

mcp = FastMCP("minimal")


@mcp.tool
def echo(text: str) -> str:
    \"\"\"Echo the text back.\"\"\"
    return text


def app():
    return mcp.http_app(path="/mcp", stateless_http=True)
"""


@dataclass
class Server:
    """A running server: its base URL, process, the tools to measure and a token source."""

    label: str
    url: str
    process: subprocess.Popen[bytes]
    calls: dict[str, dict[str, Any]]
    tokens: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx2.get(f"{url}{path}", timeout=2).status_code < 500:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def started(command: list[str], health: str, log: Path, cwd: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--port", str(port)], stdout=out, stderr=out, cwd=cwd, env=dict(os.environ))
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, process, health)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def token(url: str, subject: str) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": f"{url}/mcp", "sub": subject, "iat": now, "exp": now + 7200, "scope": "quilt:write"}
    return jwt.encode(claims, SECRET, algorithm="HS256")


async def call(http: httpx2.AsyncClient, url: str, name: str, arguments: dict[str, Any], bearer: str | None) -> None:
    """One ``tools/call``; raises unless the server answered 200 with a result that is not an error."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    headers = {**HEADERS, **({"Authorization": f"Bearer {bearer}"} if bearer else {})}
    response = await http.post(f"{url}/mcp", json=body, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: HTTP {response.status_code} {response.text[:300]}")
    text = response.text
    if "text/event-stream" in response.headers.get("content-type", ""):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    answer = json.loads(text)
    if "error" in answer or answer["result"].get("isError"):
        raise RuntimeError(f"{name} failed: {text[:300]}")


async def load(server: Server, tool: str, clients: int, requests: int, errors: list[str] | None = None) -> list[float]:
    """``requests`` calls of ``tool`` from ``clients`` concurrent clients; every successful call's latency (s).

    A failed call is appended to ``errors`` (when given) instead of stopping the run.
    """
    latencies: list[float] = []
    per_client = max(1, requests // clients)
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(index: int, http: httpx2.AsyncClient) -> None:
        for i in range(per_client):
            bearer = server.tokens[(index + i * clients) % len(server.tokens)] if server.tokens else None
            began = time.perf_counter()
            try:
                await call(http, server.url, tool, server.calls[tool], bearer)
            except (RuntimeError, httpx2.HTTPError) as err:
                if errors is None:
                    raise
                errors.append(f"{type(err).__name__}: {str(err)[:200]}")
                continue
            latencies.append(time.perf_counter() - began)

    async with httpx2.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    return latencies


def measure_cell(server: Server, tool: str, clients: int, requests: int) -> dict[str, float]:
    began = time.perf_counter()
    errors: list[str] = []
    latencies = asyncio.run(load(server, tool, clients, requests, errors))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies) or [float("nan")]
    if errors:
        print(f"{server.label} {tool} x{clients}: {len(errors)} failed, first: {errors[0]}", file=sys.stderr)
    return {
        "failed": len(errors),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (Linux ``/proc``)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def memory_growth(server: Server, total: int) -> dict[str, float]:
    """RSS (MiB) of a server that has served nothing yet, after its first 1,000 requests and after ``total``.

    The two tools alternate (1,000 requests each turn) at 8 clients, tokens cycling over every subject.
    """
    tools = list(server.calls)
    done, after_first = 0, None
    at_start = rss_bytes(server.process.pid)
    while done < total:
        batch = 1000 if done < 1000 else min(1000, total - done)
        asyncio.run(load(server, tools[(done // 1000) % len(tools)], 8, batch, []))
        done += batch
        if after_first is None:
            after_first = rss_bytes(server.process.pid)
    return {
        "at_start_mib": at_start / 2**20,
        "after_1000_mib": after_first / 2**20,
        f"after_{total}_mib": rss_bytes(server.process.pid) / 2**20,
    }


def quilt_mcp_server(root: Path, workers: int, registry: str, subjects: int, stack: ExitStack, label: str = "") -> Server:
    secret_file = root / "secret"
    secret_file.write_text(SECRET)
    command = [
        str(Path(sys.executable).with_name("quilt-mcp")), "serve", "--transport", "http", "--workers", str(workers),
        "--auth", "jwt", "--jwt-issuer", ISSUER, "--jwt-secret-file", str(secret_file),
        "--backend", "iam", "--registry", registry, "--max-concurrent-per-identity", "64", "--max-concurrent", "128",
    ]  # fmt: skip
    url, process = stack.enter_context(started(command, "/healthz", root / f"quilt-mcp-{workers}{label}.log"))
    tokens = [token(url, f"user-{n}") for n in range(subjects)]
    calls = {
        "package_browse": {"name": PACKAGE, "recursive": True},
        "entry_read": {"name": PACKAGE, "logical_key": "README.md"},
    }
    return Server(f"quilt-mcp {workers}w", url, process, calls, tokens)


def minimal_server(root: Path, workers: int, stack: ExitStack) -> Server:
    (root / "minimal_http.py").write_text(MINIMAL_SERVER)
    command = [sys.executable, "-m", "uvicorn", "minimal_http:app", "--factory", "--workers", str(workers),
               "--log-level", "warning", "--host", "127.0.0.1", "--http", HTTP_PROTOCOL]  # fmt: skip
    url, process = stack.enter_context(started(command, "/mcp", root / f"minimal-{workers}.log", cwd=root))
    return Server(f"minimal fastmcp {workers}w", url, process, {"echo": {"text": "hello"}}, [])


def create_package(server: Server) -> None:
    entries = [{"logical_key": "README.md", "text": "# bench\n" * 20}]
    entries += [{"logical_key": f"data/part-{d}/file-{f}.csv", "text": f"a,b\n{d},{f}\n"} for d in range(3) for f in range(13)]
    asyncio.run(_create(server, entries))


async def _create(server: Server, entries: list[dict[str, Any]]) -> None:
    async with httpx2.AsyncClient(timeout=120) as http:
        await call(http, server.url, "package_create", {"name": PACKAGE, "entries": entries}, server.tokens[0])


def run(args: argparse.Namespace) -> dict[str, Any]:
    with moto_s3() as (endpoint, root), ExitStack() as stack:
        os.environ["QUILT_DISABLE_USAGE_METRICS"] = "true"
        import boto3

        bucket = "bench-http"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
        work = Path(tempfile.mkdtemp(prefix="http-load-"))  # kept: the servers' logs
        print(f"server logs in {work}", file=sys.stderr)
        servers: dict[str, Server] = {}
        for workers in (1, 2):
            servers[f"quilt-mcp {workers}w"] = quilt_mcp_server(work, workers, f"s3://{bucket}", args.subjects, stack)
            servers[f"minimal fastmcp {workers}w"] = minimal_server(work, workers, stack)
        create_package(servers["quilt-mcp 1w"])
        cells = [(label, tool, c) for label, s in servers.items() for tool in s.calls for c in CONCURRENCY]
        variants = {f"{label} | {tool} | {c}": (servers[label], tool, c) for label, tool, c in cells}
        print(f"measuring {len(variants)} cells x {args.repeat} rounds, {args.requests} requests each", file=sys.stderr)
        rounds = interleaved(variants, lambda v: measure_cell(v[0], v[1], v[2], args.requests), args.repeat)
        results = {key: {m: statistics.median(r[m] for r in runs) for m in runs[0]} for key, runs in rounds.items()}
        fresh = quilt_mcp_server(work, 1, f"s3://{bucket}", args.subjects, stack, label="memory")
        memory = memory_growth(fresh, args.memory_requests)
        return {"cells": results, "memory": memory, "requests": args.requests, "repeat": args.repeat,
                "subjects": args.subjects, "load_average": os.getloadavg()}  # fmt: skip


def render(output: dict[str, Any]) -> str:
    lines = ["| server | tool | clients | req/s | p50 ms | p99 ms | failed |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for key, cell in output["cells"].items():
        server, tool, clients = key.split(" | ")
        lines.append(f"| {server} | {tool} | {clients} | {cell['rps']:.0f} | {cell['p50_ms']:.1f} | {cell['p99_ms']:.1f} | {cell['failed']:.0f} |")
    memory = ", ".join(f"{k}: {v:.0f}" for k, v in output["memory"].items())
    lines.append(f"\nfresh quilt-mcp 1 worker, {output['subjects']} subjects, RSS (all processes), MiB: {memory}")
    lines.append(f"load average at the end: {', '.join(f'{x:.1f}' for x in output['load_average'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per cell (default 400)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved rounds; the median is reported (2)")
    parser.add_argument("--subjects", type=int, default=50, help="distinct JWT subjects the tokens cycle over (50)")
    parser.add_argument("--memory-requests", type=int, default=10_000, help="requests before the second RSS reading")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    output = run(args)
    print(json.dumps(output, indent=2) if args.json else render(output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
