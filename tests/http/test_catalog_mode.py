"""``--auth catalog`` where no catalog answers: settings, refusals and bounded waits.

The catalog's answers (a good token, a revoked one, an unknown user, the
cache of confirmations) are tested against the reference catalog in
``test_catalog_tokens.py``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from quilt_mcp.errors import BackendUnavailableError, InvalidInputError
from quilt_mcp.plugins import PluginHost
from quilt_mcp.http.app import create_app
from quilt_mcp.http.catalog_auth import catalog_verifier
from quilt_mcp.settings import Settings
from tests.http.support import http_settings, serving
from tests.http.test_token_refusals import HEADERS, INITIALIZE


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def catalog_down(infra: Any) -> Iterator[str]:
    """A catalog-mode server whose registry URL answers nothing (the iam backend forced, so it starts without platform)."""
    registry = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(backend="iam", registries=(f"s3://{infra.new_bucket()}",))
    with serving(lambda port: create_app(settings, http_settings(port, auth="catalog", registry_url=registry))) as url:
        yield url


def test_when_the_catalog_cannot_answer_a_token_gets_503_with_retry_after_not_401(catalog_down: str):
    response = httpx2.post(f"{catalog_down}/mcp", json=INITIALIZE, headers={**HEADERS, "Authorization": "Bearer qk_x"})

    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert "did not answer" in response.json()["error_description"]


def test_without_a_token_catalog_mode_still_answers_401_with_a_challenge(catalog_down: str):
    response = httpx2.post(f"{catalog_down}/mcp", json=INITIALIZE, headers=HEADERS)

    assert response.status_code == 401 and "resource_metadata=" in response.headers["www-authenticate"]


def test_readiness_says_the_catalog_is_unreachable_and_health_still_answers(catalog_down: str):
    ready = httpx2.get(f"{catalog_down}/readyz", timeout=30)

    assert ready.status_code == 503 and ready.json()["catalog_reachable"] is False
    assert httpx2.get(f"{catalog_down}/healthz").status_code == 200


def test_catalog_mode_acts_through_the_platform_backend_unless_told_otherwise():
    http = http_settings(8000, auth="catalog", registry_url="http://127.0.0.1:9")
    with pytest.raises(BackendUnavailableError, match="platform backend is not installed") as caught:
        create_app(Settings(), http, host=PluginHost.discover(Settings(disabled_plugins=frozenset({"platform"}))))

    assert "Backends that can: iam" in caught.value.hint


def test_catalog_mode_needs_the_registry_url():
    with pytest.raises(InvalidInputError, match="registry URL"):
        catalog_verifier(http_settings(8000, auth="catalog"))
