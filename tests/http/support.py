"""Serving the HTTP app on a loopback port, minting tokens, and MCP clients with a token.

Two seams for HTTP tests (and the multi-user isolation test to come):
``serving(app_for_port)`` runs one in-process uvicorn server in a thread -
give it a function from the port to an ASGI app, usually
``lambda port: create_app(settings, http_settings(port, ...))`` - and yields
the base URL; ``serve_command(args, log)`` runs the real ``quilt-mcp serve
--transport http`` (any ``--workers``) as a process and yields its URL and
process once ``/healthz`` answers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import ASGIApp

from quilt_mcp.http.settings import HttpSettings

ISSUER = "https://issuer.test"
SECRET = "s" * 40


@contextmanager
def serving(app_for_port: Callable[[int], ASGIApp]) -> Iterator[str]:
    """Serve ``app_for_port(port)`` with uvicorn on a free loopback port; yields ``http://127.0.0.1:PORT``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app_for_port(port), log_config=None, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the HTTP server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def http_settings(port: int, **changes: Any) -> HttpSettings:
    """Settings for a loopback server on ``port``: jwt mode, issuer ``ISSUER``, defaults otherwise."""
    return replace(HttpSettings(port=port, auth="jwt", jwt_issuer=ISSUER), **changes)


class RsaKey:
    """An RSA key pair: signs tokens, gives its PEM public key and its JWKS."""

    def __init__(self, kid: str = "k1") -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], algorithm: str = "RS256") -> str:
        return jwt.encode(claims, self.private, algorithm=algorithm, headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        key = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**key, "kid": self.kid, "use": "sig", "alg": "RS256"}]}


def claims(audience: str, *, subject: str = "alice", scope: str = "quilt:write", **changes: Any) -> dict[str, Any]:
    """Valid claims for ``audience``: issuer ``ISSUER``, an hour to live; ``changes`` override or (None) drop."""
    now = int(time.time())
    base = {"iss": ISSUER, "aud": audience, "sub": subject, "iat": now, "exp": now + 3600, "scope": scope}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@asynccontextmanager
async def mcp_client(url: str, token: str, protocol: str) -> AsyncIterator[Client]:
    """The official MCP SDK client on ``url/mcp`` sending ``token``, in protocol era ``protocol``."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=protocol) as client:
            yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_command(args: list[str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``quilt-mcp serve --transport http --port P *args`` as a process logging to ``log``; (URL, process).

    Yields once ``/healthz`` answers. On exit, however the block ended, kills the server's whole process
    group (its own session): the supervisor and every worker, which would outlive a killed supervisor.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("quilt-mcp")), "serve", "--transport", "http", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, *args], stderr=out, stdout=out, env={**os.environ}, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 240  # a cap for loaded machines; a quiet one starts in seconds
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield url, process
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # the group is gone already (macOS answers EPERM when only zombies are left in it)
            process.wait()


def healthy(url: str) -> bool:
    try:
        return httpx2.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx2.HTTPError:
        return False
