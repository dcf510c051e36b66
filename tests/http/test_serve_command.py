"""``quilt-mcp serve --transport http`` as a real process with two workers: it serves, never logs a token
(at DEBUG, libraries included), and on SIGTERM finishes the request in progress before exiting."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest

from quilt_mcp.cli import build_parser
from quilt_mcp.http.settings import OPTIONS, HttpSettings
from tests.http.support import ISSUER, SECRET, claims, mcp_client, serve_command
from tests.http.test_token_refusals import HEADERS, INITIALIZE


def wait_ready(url: str) -> httpx2.Response:
    """``/readyz`` once it says ready (a cold worker's first detection may take a while), or its last answer."""
    deadline = time.monotonic() + 60
    while True:
        response = httpx2.get(f"{url}/readyz", timeout=30)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(1)


async def test_two_workers_serve_log_no_token_at_debug_and_finish_in_flight_work_on_sigterm(infra: Any, tmp_path: Path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET)
    log = tmp_path / "server.log"
    args = [
        "--workers", "2", "--auth", "jwt", "--jwt-issuer", ISSUER, "--jwt-secret-file", str(secret_file),
        "--backend", "iam", "--registry", f"s3://{infra.new_bucket()}", "--log-level", "DEBUG",
    ]  # fmt: skip
    with serve_command(args, log) as (url, process):
        good = jwt.encode(claims(f"{url}/mcp"), SECRET, algorithm="HS256")
        bad = [
            jwt.encode(claims(f"{url}/mcp", exp=int(time.time()) - 3600), SECRET, algorithm="HS256"),
            jwt.encode(claims(f"{url}/mcp", iss="https://elsewhere.test"), SECRET, algorithm="HS256"),
            "qk_" + "k" * 40,
            "malformed-token-value-123456",
        ]
        ready = wait_ready(url)
        for protocol in ("legacy", "2026-07-28"):
            async with mcp_client(url, good, protocol) as client:
                created = await client.call_tool(
                    "package_create", {"name": f"team/{protocol[:6]}", "entries": [{"logical_key": "a", "text": "x"}]}
                )
                status = await client.call_tool("auth_status", {})
            assert not created.is_error and not status.is_error
        headers = [{**HEADERS, "Authorization": f"Bearer {t}"} for t in bad]
        refused = [httpx2.post(f"{url}/mcp", json=INITIALIZE, headers=h) for h in headers]
        answer = finish_after_sigterm(process, int(url.rsplit(":", 1)[1]), good)
        exit_code = process.wait(60)

    text = log.read_text()
    assert exit_code == 0
    assert ready.status_code == 200 and ready.json()["ready"]
    assert [r.status_code for r in refused] == [401] * len(bad)
    assert answer.startswith("HTTP/1.1 200"), f"the in-flight request was not finished: {answer[:200]}"
    assert "DEBUG" in text, "the server logged nothing at DEBUG: the grep below would prove nothing"
    for token in [good, *bad, SECRET]:
        assert token not in text, "a token (or the secret) appears in the server's log"
        assert token.split(".")[-1] not in text


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux ``/proc``)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        try:
            tasks = list(Path(f"/proc/{pending.pop()}/task").iterdir())
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                children = {int(child) for child in (task / "children").read_text().split()}
            except FileNotFoundError:
                continue
            pending.extend(children - found)
            found |= children
    return found


def test_a_test_failing_while_two_workers_serve_leaves_no_worker_running(infra: Any, tmp_path: Path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET)
    args = ["--workers", "2", "--auth", "jwt", "--jwt-issuer", ISSUER, "--jwt-secret-file", str(secret_file),
            "--backend", "iam", "--registry", f"s3://{infra.new_bucket()}"]  # fmt: skip
    workers: set[int] = set()
    with pytest.raises(AssertionError, match="the test failed"):
        with serve_command(args, tmp_path / "server.log") as (_url, process):
            workers = descendants(process.pid)
            raise AssertionError("the test failed")

    alive_until = time.monotonic() + 10
    while (alive := {pid for pid in workers if Path(f"/proc/{pid}").exists()}) and time.monotonic() < alive_until:
        time.sleep(0.1)
    assert len(workers) >= 2 and not alive, f"workers {sorted(alive)} still run after the test ended"


def finish_after_sigterm(process: subprocess.Popen[bytes], port: int, token: str) -> str:
    """Start a request, SIGTERM the server while its body is half sent, finish it; the raw HTTP answer."""
    body = json.dumps(INITIALIZE).encode()
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body[:10])
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        sock.sendall(body[10:])
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def test_every_http_setting_is_a_serve_flag_that_exports_its_variable(monkeypatch: pytest.MonkeyPatch):
    args = build_parser().parse_args(["serve", "--transport", "http", "--port", "9", "--auth", "catalog"])

    assert set(OPTIONS) == set(HttpSettings.__dataclass_fields__)
    assert (args.transport, args.port, args.auth) == ("http", 9, "catalog")
    for name, option in OPTIONS.items():
        assert hasattr(args, name), f"no flag for {name}"
        assert option.env.startswith("QUILT_MCP_")
