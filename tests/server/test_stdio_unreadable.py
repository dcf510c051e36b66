"""Over stdio, a request the transport cannot parse still gets an answer: a JSON-RPC error for its id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def call(rid: int | str, arguments_json: str) -> str:
    return (
        f'{{"jsonrpc": "2.0", "id": {json.dumps(rid)}, "method": "tools/call", '
        f'"params": {{"name": "package_info", "arguments": {arguments_json}}}}}'
    )


def nested(depth: int) -> str:
    return '{"name": "a/b", "x": ' + "[" * depth + "]" * depth + "}"


def test_deeply_nested_and_lone_surrogate_requests_each_get_an_error_for_their_id(infra: Any):
    registry = infra.new_dir("registry")
    lines = [
        json.dumps(INITIALIZE),
        '{"jsonrpc": "2.0", "method": "notifications/initialized"}',
        call(2, nested(200)),
        call("three", nested(5000)),
        call(4, '{"name": "a/\\ud800"}'),
        '{"jsonrpc": "2.0", "id": 5, "method": 7}',
        call(6, '{"name": "team/missing"}'),
    ]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("quilt-mcp")), "serve", "--registry", str(registry), "--backend", "iam"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    replies = {reply["id"]: reply for reply in map(json.loads, done.stdout.splitlines())}

    assert set(replies) == {1, 2, "three", 4, 5, 6}, done.stderr
    for rid in (2, "three", 4):
        assert replies[rid]["error"]["code"] == -32700
        assert "could not be read" in replies[rid]["error"]["message"]
    assert "recursion limit" in replies["three"]["error"]["message"]
    assert replies[5]["error"]["code"] == -32600
