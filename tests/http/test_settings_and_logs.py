"""HTTP settings from the environment, and the token redaction every log handler applies."""

from __future__ import annotations

import logging

import pytest

from quilt_mcp.errors import InvalidInputError
from quilt_mcp import redaction
from quilt_mcp.redaction import REDACTED, redact
from quilt_mcp.http.settings import HttpSettings, export


def test_settings_come_from_quilt_mcp_variables_and_flags_export_to_them():
    env: dict[str, str] = {}
    export({"port": 9001, "auth": "jwt", "jwt_issuer": "https://i", "host": None}, env)
    settings = HttpSettings.from_env({**env, "QUILT_MCP_MAX_CONCURRENT": "5"})

    assert env == {"QUILT_MCP_PORT": "9001", "QUILT_MCP_AUTH": "jwt", "QUILT_MCP_JWT_ISSUER": "https://i"}
    assert (settings.port, settings.auth, settings.max_concurrent) == (9001, "jwt", 5)
    assert settings.resource_url == "http://127.0.0.1:9001/mcp"


def test_a_malformed_number_or_a_missing_auth_mode_is_a_clear_error():
    with pytest.raises(InvalidInputError, match="QUILT_MCP_PORT='x' is not a whole number"):
        HttpSettings.from_env({"QUILT_MCP_PORT": "x"})
    with pytest.raises(InvalidInputError, match="needs an auth mode") as caught:
        HttpSettings().check()
    assert "--auth jwt" in caught.value.hint


def test_the_resource_url_follows_the_public_url_when_given():
    settings = HttpSettings(host="0.0.0.0", public_url="https://mcp.example.com/")

    assert settings.resource_url == "https://mcp.example.com/mcp"


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abc.def-ghi",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here",
        "key qk_abcdefghijklmnop",
    ],
)
def test_token_shaped_text_is_redacted(text: str):
    cleaned = redact(text)

    assert REDACTED in cleaned
    assert not any(secret in cleaned for secret in ("abc.def-ghi", "c2lnbmF0dXJl", "qk_abcdefghijklmnop"))


def test_a_records_formatted_arguments_are_redacted():
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "headers %s", ({"authorization": "Bearer t0ken"},), None)
    redaction.scrub(record)

    assert "t0ken" not in record.getMessage()


def test_no_repr_shows_a_token_or_the_hmac_secret():
    from quilt_mcp.http.jwt_auth import jwt_verifier
    from quilt_mcp.http.tokens import Caller, token_key
    from tests.http.support import SECRET, http_settings

    verifier = jwt_verifier(http_settings(8000), {"QUILT_MCP_JWT_SECRET": SECRET})
    caller = Caller(token_key("tok-123"), "alice", frozenset(), None, bearer_token="tok-123")

    assert SECRET not in repr(verifier) and SECRET not in repr(verifier.keys)
    assert "tok-123" not in repr(caller)
