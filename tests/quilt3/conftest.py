"""Fixtures for the quilt3 plugin's tests: a real quilt3 login home and a catalog that refuses to renew it.

quilt3 reads its login from the data dir it computed at import, which the
conformance pytest plugin points at a per-worker temp dir before anything
imports quilt3. Each test that writes login files logs quilt3 out again
afterwards, so no other test in the worker sees its login.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from quilt_mcp_quilt3 import testing


@pytest.fixture
def quilt3_home() -> Iterator[None]:
    """Lets a test write quilt3 login files; logs quilt3 out afterwards."""
    testing.log_out()
    yield
    testing.log_out()


class _Refuse(BaseHTTPRequestHandler):
    """A catalog whose refresh token has expired: every request is 401 Unauthorized."""

    def _refuse(self) -> None:
        body = b'{"error": "refresh token expired"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_catalog() -> Iterator[str]:
    """The URL of a local catalog registry that refuses to renew any session."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
