"""Limits over real HTTP: body size (413), requests in progress per caller (429) and in total (503)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from tests.http.conftest import Served
from tests.http.test_token_refusals import HEADERS, INITIALIZE


@pytest.fixture(scope="module")
def limited(start_server: Callable[..., Any]) -> Iterator[Served]:
    """A server allowing 1 request in progress per caller, 2 in total, bodies up to 4 KiB."""
    with start_server(max_concurrent_per_identity=1, max_concurrent=2, max_body_bytes=4096) as served:
        yield served


@contextmanager
def held_request(served: Served, token: str) -> Iterator[None]:
    """A request to /mcp whose body is never finished while the block runs: it stays in progress."""
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(
            (
                f"POST /mcp HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            ).encode()
        )
        yield


def refused_while_held(served: Served, token: str, status: int) -> httpx2.Response:
    """Post with ``token`` until the server refuses with ``status`` (the held request may take a moment to count)."""
    deadline = time.monotonic() + 10
    while True:
        response = httpx2.post(served.resource, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {token}"})
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_a_caller_past_its_requests_in_progress_gets_429_with_retry_after(limited: Served):
    alice = limited.token(subject="alice")
    with held_request(limited, alice):
        refused = refused_while_held(limited, alice, 429)
        other = httpx2.post(
            limited.resource, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {limited.token(subject='bob')}"}
        )

    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "too_many_requests"
    assert other.status_code == 200


def test_requests_past_the_total_get_503_with_retry_after(limited: Served):
    with held_request(limited, limited.token(subject="a")), held_request(limited, limited.token(subject="b")):
        refused = refused_while_held(limited, limited.token(subject="c"), 503)
    after = httpx2.post(
        limited.resource, json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {limited.token()}"}
    )

    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert after.status_code == 200, "slots were not given back when the held requests ended"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_past_the_bound_gets_413(limited: Served, declared: bool):
    big = b'{"jsonrpc": "2.0", "pad": "' + b"x" * 8192 + b'"}'
    content: Any = big if declared else iter([big[:4000], big[4000:]])
    response = httpx2.post(
        limited.resource, content=content, headers={**HEADERS, "Authorization": f"Bearer {limited.token()}"}
    )

    assert response.status_code == 413
    assert "4096 bytes" in response.json()["error_description"]
