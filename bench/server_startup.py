"""Time from launching ``quilt-mcp serve`` to its first answered ``tools/list``, beside a minimal fastmcp server.

    uv run python bench/server_startup.py [--repeat 9] [--json]

Each server runs as a fresh subprocess on stdio and is sent, at once, the
initialize request, the initialized notification and ``tools/list`` (as a
client that does not wait would); the clock stops when the ``tools/list``
answer arrives on stdout. Measured side by side, interleaved round by round:

- ``minimal fastmcp``: a one-tool fastmcp server script, the floor any
  fastmcp server pays (interpreter, fastmcp and mcp imports, handshake);
- ``quilt-mcp serve``: the real command on an empty local registry, every
  installed plugin discovered, the backend not yet chosen (start-up is lazy).

Prints each variant's median and minimum, the tools listed, and the ratio of
the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rounds import interleaved

MINIMAL_SERVER = """\
from fastmcp import FastMCP

mcp = FastMCP("minimal")


@mcp.tool
def echo(text: str) -> str:
    \"\"\"Echo the text back.\"\"\"
    return text


mcp.run(show_banner=False)
"""
REQUESTS = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "server-startup-bench", "version": "1"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
TIMEOUT = 120.0


def time_to_tools(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from launch to the ``tools/list`` answer, and how many tools it listed."""
    payload = "".join(json.dumps(message) + "\n" for message in REQUESTS).encode()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(payload)
        process.stdin.flush()
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == 2:
                elapsed = time.perf_counter() - start
                if "error" in message:
                    raise RuntimeError(f"{command}: tools/list failed: {message['error']}")
                return elapsed, len(message["result"]["tools"])
            if time.perf_counter() - start > TIMEOUT:
                break
        raise RuntimeError(f"{command} exited or timed out before answering tools/list")
    finally:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="Launches per variant (default 9).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="server-startup-") as tmp:
        root = Path(tmp)
        (root / "minimal_server.py").write_text(MINIMAL_SERVER)
        (root / "registry").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUILT_MCP_")}
        env.update(QUILT_MCP_REGISTRIES=str(root / "registry"), AWS_EC2_METADATA_DISABLED="true")
        variants = {
            "minimal fastmcp": [sys.executable, str(root / "minimal_server.py")],
            "quilt-mcp serve": [str(Path(sys.executable).with_name("quilt-mcp")), "serve"],
        }
        results = interleaved(variants, lambda command: time_to_tools(command, env), args.repeat)
    times = {name: [elapsed for elapsed, _ in runs] for name, runs in results.items()}
    tools = {name: runs[-1][1] for name, runs in results.items()}

    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["quilt-mcp serve"] / medians["minimal fastmcp"]
    if args.json:
        print(json.dumps({"repeat": args.repeat, "seconds": times, "median": medians, "tools": tools, "ratio": ratio}))
        return 0
    print(f"time from launch to the first tools/list answer, {args.repeat} launches each (interleaved):")
    for name, values in times.items():
        print(f"  {name:<16} median {medians[name]:.3f} s   min {min(values):.3f} s   ({tools[name]} tools)")
    print(f"  ratio quilt-mcp serve / minimal fastmcp: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
