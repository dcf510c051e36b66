"""``--auth catalog`` end to end: tokens of the reference catalog over real HTTP.

The catalog confirms each new token (``me``) and the server trusts that
answer for ``token_cache_seconds`` (1 here), keyed by the token's hash; so a
revoked token is refused within that bound, and an expired, forged or
unknown-user token is refused at once, each with a 401 and the RFC 9728
challenge. The backend is the platform one, acting on the same catalog.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx2
import jwt
import pytest

from quilt_mcp.http.app import create_app
from quilt_mcp.settings import Settings
from tests.http.relay import Relay
from tests.http.support import http_settings, mcp_client, serving
from tests.http.team import Team
from tests.http.test_token_refusals import HEADERS, INITIALIZE

CACHE_SECONDS = 1


@pytest.fixture(scope="module")
def catalog_server(team: Team) -> Iterator[str]:
    """A catalog-mode server on the team's catalog, confirmations trusted for ``CACHE_SECONDS``."""
    http = lambda port: http_settings(  # noqa: E731
        port, auth="catalog", registry_url=team.catalog.url, token_cache_seconds=CACHE_SECONDS
    )
    with serving(lambda port: create_app(Settings(), http(port))) as url:
        yield url


def post(url: str, token: str) -> httpx2.Response:
    return httpx2.post(f"{url}/mcp", json=INITIALIZE, headers={**HEADERS, "Authorization": f"Bearer {token}"}, timeout=30)


def assert_refused(response: httpx2.Response, url: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert f'resource_metadata="{url}/.well-known/oauth-protected-resource' in response.headers["www-authenticate"]


async def auth_status(url: str, token: str, protocol: str) -> dict[str, Any]:
    async with mcp_client(url, token, protocol) as client:
        result = await client.call_tool("auth_status", {})
    assert not result.is_error, result.content[0].text
    return result.structured_content


def platform_detection(status: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in status["detections"] if d["plugin"] == "platform")


async def test_a_registry_token_is_accepted_and_auth_status_answers_for_its_user(
    catalog_server: str, team: Team, protocol: str
):
    status = await auth_status(catalog_server, team.catalog.token_for("ann"), protocol)

    assert status["caller"] == "ann"
    assert "as ann" in platform_detection(status)["reason"]


async def test_an_api_key_is_accepted_and_auth_status_answers_for_its_user_not_another(
    catalog_server: str, team: Team, protocol: str
):
    ben = await auth_status(catalog_server, team.catalog.api_key_for("ben"), protocol)
    cat = await auth_status(catalog_server, team.catalog.api_key_for("cat"), protocol)

    assert (ben["caller"], cat["caller"]) == ("ben", "cat")
    assert "as ben" in platform_detection(ben)["reason"] and "as cat" in platform_detection(cat)["reason"]


@pytest.mark.parametrize("credential", ["registry_token", "api_key"])
def test_a_revoked_token_is_refused_once_the_confirmation_cache_expires(
    catalog_server: str, team: Team, credential: str
):
    token = team.catalog.token_for("dan") if credential == "registry_token" else team.catalog.api_key_for("dan")
    assert post(catalog_server, token).status_code == 200
    revoked_at = time.monotonic()
    assert team.catalog.revoke(token)

    time.sleep(max(0.0, revoked_at + CACHE_SECONDS + 0.1 - time.monotonic()))

    assert_refused(post(catalog_server, token), catalog_server)


def forged(team: Team) -> str:
    """Ann's claims, signed with a key the catalog never issued."""
    claims = jwt.decode(team.catalog.token_for("ann"), options={"verify_signature": False})
    return jwt.encode(claims, "not-the-catalog-secret-" * 2, algorithm="HS256")


REFUSED = {
    "expired": lambda team: team.catalog.token_for("ann", ttl=-60),
    "forged": forged,
    "unknown_user": lambda team: team.catalog.token_for("mallory"),
    "unknown_api_key": lambda team: "qk_" + "x" * 40,
}


@pytest.mark.parametrize("kind", REFUSED)
def test_a_token_the_catalog_did_not_issue_or_no_longer_honours_gets_401_with_a_challenge(
    catalog_server: str, team: Team, kind: str
):
    assert_refused(post(catalog_server, REFUSED[kind](team)), catalog_server)


def test_token_checks_and_readiness_share_one_connection_to_the_catalog_closed_at_shutdown(team: Team):
    with Relay(team.catalog.url) as relay:
        http = lambda port: http_settings(port, auth="catalog", registry_url=relay.url)  # noqa: E731
        with serving(lambda port: create_app(Settings(), http(port))) as url:
            for user in ("ann", "ben", "cat"):  # initialize only: the token is checked, no backend opened
                assert post(url, team.catalog.token_for(user)).status_code == 200
                if user == "ann":
                    assert httpx2.get(f"{url}/readyz", timeout=30).json()["catalog_reachable"] is True
            checks_opened = relay.opened
        closed_by = time.monotonic() + 1  # well before the catalog would drop the idle connection itself (5 s)
        while relay.open and time.monotonic() < closed_by:
            time.sleep(0.02)

        assert checks_opened == 1, f"{checks_opened} connections for 3 token checks and a readiness check"
        assert relay.open == 0, "the server left its connection to the catalog open after shutdown"
