"""Bad tokens are refused over real HTTP with the status and ``WWW-Authenticate`` the MCP spec asks for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.http.jwt_auth import jwt_verifier
from tests.http.conftest import Served
from tests.http.support import ISSUER, SECRET, RsaKey, claims, http_settings, mcp_client

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def post(served: Served, token: str | None, body: dict[str, Any] = INITIALIZE) -> httpx2.Response:
    auth = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx2.post(served.resource, json=body, headers={**HEADERS, **auth}, timeout=30)


def segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hmac_signed_with_public_key(served: Served) -> str:
    """HS256 over the claims with the server's RSA public key PEM as the HMAC secret (alg confusion)."""
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims(served.resource))}"
    signature = hmac.new(served.key.public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


BAD_TOKENS: dict[str, Callable[[Served], str]] = {
    "expired": lambda s: s.token(exp=int(time.time()) - 3600),
    "not_yet_valid": lambda s: s.token(nbf=int(time.time()) + 3600),
    "wrong_key": lambda s: RsaKey().sign(claims(s.resource)),
    "wrong_issuer": lambda s: s.token(iss="https://elsewhere.test"),
    "wrong_audience": lambda s: s.token(aud="https://other-server.test/mcp"),
    "no_expiry": lambda s: s.token(exp=None),
    "alg_none": lambda s: jwt.encode(claims(s.resource), None, algorithm="none"),
    "hmac_with_rsa_public_key": hmac_signed_with_public_key,
    "malformed": lambda s: "not.a-jwt",
    "garbage": lambda s: "x" * 40,
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_a_bad_token_gets_401_invalid_token_naming_the_resource_metadata(server: Served, case: str):
    response = post(server, BAD_TOKENS[case](server))

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert f'resource_metadata="{server.url}/.well-known/oauth-protected-resource/mcp"' in challenge


def test_no_token_gets_401_with_a_bare_challenge(server: Served):
    response = post(server, None)

    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert "error=" not in challenge and "resource_metadata=" in challenge


def test_protected_resource_metadata_names_the_authorization_server(server: Served):
    scoped = httpx2.get(f"{server.url}/.well-known/oauth-protected-resource/mcp").json()
    root = httpx2.get(f"{server.url}/.well-known/oauth-protected-resource").json()

    assert scoped == root
    assert scoped["resource"] == server.resource
    assert [a.rstrip("/") for a in scoped["authorization_servers"]] == [ISSUER]


def test_a_valid_token_is_accepted_within_the_clock_leeway(server: Served):
    just_expired = server.token(exp=int(time.time()) - 5, nbf=int(time.time()) + 5)

    assert post(server, just_expired).status_code == 200


def test_a_token_without_a_required_scope_gets_403(start_server: Callable[..., Any]):
    with start_server(required_scopes="quilt:read") as served:
        lacking = post(served, served.token(scope="other"))
        having = post(served, served.token(scope="quilt:read"))

    assert lacking.status_code == 403
    assert 'error="insufficient_scope"' in lacking.headers["www-authenticate"]
    assert having.status_code == 200


async def test_writing_tools_need_the_write_scope_and_reading_ones_do_not(server: Served):
    reader = server.token(scope="quilt:read")
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "package_create", "arguments": {}}}

    refused = post(server, reader, call)
    async with mcp_client(server.url, reader, "2026-07-28") as client:
        listed = await client.call_tool("package_list", {})

    assert refused.status_code == 403
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="quilt:write"' in challenge
    assert "resource_metadata=" in challenge
    assert not listed.is_error


@pytest.fixture(scope="module")
def jwks_url(rsa_key: RsaKey) -> Iterator[str]:
    """A loopback HTTP server publishing ``rsa_key``'s JWKS."""
    body = json.dumps(rsa_key.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/jwks.json"
    httpd.shutdown()


def test_tokens_verify_against_a_jwks_url_by_key_id(start_server: Callable[..., Any], jwks_url: str):
    with start_server(jwt_public_key_file=None, jwt_jwks_url=jwks_url) as served:
        known = post(served, served.token())
        unknown_kid = post(served, RsaKey(kid="other").sign(claims(served.resource)))

    assert known.status_code == 200
    assert unknown_kid.status_code == 401


def test_an_hs256_secret_from_a_file_verifies_and_rsa_tokens_are_then_refused(
    start_server: Callable[..., Any], tmp_path: Path
):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    with start_server(jwt_public_key_file=None, jwt_secret_file=str(secret_file)) as served:
        hs = post(served, jwt.encode(claims(served.resource), SECRET, algorithm="HS256"))
        rs = post(served, served.token())

    assert hs.status_code == 200
    assert rs.status_code == 401


@pytest.mark.parametrize(
    ("changes", "env", "said"),
    [
        ({"jwt_issuer": None, "jwt_public_key_file": "k.pem"}, {}, "issuer"),
        ({}, {}, "exactly one verification key source"),
        ({"jwt_public_key_file": "k.pem", "jwt_jwks_url": "http://x"}, {}, "exactly one"),
        ({"jwt_public_key_file": "k.pem", "jwt_algorithms": "none"}, {}, "cannot be used"),
        ({"jwt_public_key_file": "k.pem", "jwt_algorithms": "RS256,HS256"}, {}, "cannot be used"),
        ({"jwt_algorithms": "RS256"}, {"QUILT_MCP_JWT_SECRET": SECRET}, "cannot be used"),
        ({}, {"QUILT_MCP_JWT_SECRET": "short"}, "32 bytes"),
    ],
)
def test_a_jwt_configuration_that_cannot_verify_safely_is_refused_at_start(
    changes: dict[str, Any], env: dict[str, str], said: str
):
    with pytest.raises(InvalidInputError, match=said) as caught:
        jwt_verifier(http_settings(8000, **changes), env)

    assert caught.value.hint
