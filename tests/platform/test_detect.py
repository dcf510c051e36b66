"""Detection: a catalog and a token from the environment (or the HTTP request), confirmed with ``me``."""

from __future__ import annotations

import pytest
from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import QuiltMCPError
from quilt_mcp_platform import plugin
from quilt_mcp_platform.detect import API_KEY_VAR, TOKEN_VAR, confirm_identity, detect, find_spec
from quilt_mcp_platform.graphql.client import Timeouts

from tests.platform.tiny_catalog import TOKEN, Faults

Catalog = tuple[str, Faults]


def _context(bearer: str | None = None, **env: str) -> AuthContext:
    context = AuthContext.from_environment(env)
    return AuthContext(context.env, context.settings, bearer_token=bearer)


def test_without_a_catalog_or_a_token_it_is_not_usable_and_says_what_to_set(catalog: Catalog) -> None:
    nothing = detect(_context())
    assert not nothing.usable and "QUILT_MCP_CATALOG_URL" in nothing.reason
    no_token = detect(_context(QUILT_MCP_CATALOG_URL=catalog[0]))
    assert not no_token.usable and API_KEY_VAR in no_token.reason and TOKEN_VAR in no_token.reason
    assert catalog[1].requests == []  # nothing asked without a token


def test_an_api_key_and_the_catalogs_config_json_name_the_user_and_the_catalog(catalog: Catalog) -> None:
    url = catalog[0]
    candidate = detect(_context(QUILT_MCP_CATALOG_URL=url, QUILT_API_KEY=TOKEN))
    assert candidate.usable and (candidate.backend, candidate.priority) == ("platform", 200)
    assert candidate.identity == "ada@example.com"
    assert candidate.reason == f"catalog {url} confirmed the token from QUILT_API_KEY as ada, role ReadWrite"
    assert candidate.details["registry"] == url  # from config.json's registryUrl
    assert TOKEN not in repr(candidate) and TOKEN not in repr(candidate.credential)


def test_the_http_requests_bearer_is_used_instead_of_the_environments(catalog: Catalog) -> None:
    context = _context(TOKEN, QUILT_MCP_REGISTRY_URL=catalog[0], QUILT_MCP_CATALOG_TOKEN="stale")
    candidate = detect(context)
    assert candidate.usable and "the HTTP request's bearer token" in candidate.reason
    assert catalog[1].requests == ["/graphql"]  # the registry URL was given: no config.json


def test_a_refused_token_is_not_usable_and_the_reason_never_shows_it(catalog: Catalog) -> None:
    candidate = detect(_context(QUILT_MCP_REGISTRY_URL=catalog[0], QUILT_MCP_CATALOG_TOKEN="jwt-not-valid"))
    assert not candidate.usable and "HTTP 401" in candidate.reason and TOKEN_VAR in candidate.reason
    assert "jwt-not-valid" not in candidate.reason


def test_a_catalog_without_config_json_asks_for_the_registry_url(catalog: Catalog) -> None:
    candidate = detect(_context(QUILT_MCP_CATALOG_URL=catalog[0] + "/nowhere", QUILT_API_KEY=TOKEN))
    assert not candidate.usable and "QUILT_MCP_REGISTRY_URL" in candidate.reason


def test_identity_is_asked_under_a_short_timeout_without_retry(catalog: Catalog) -> None:
    url, faults = catalog
    faults.latency = 0.5
    spec = find_spec(_context(QUILT_MCP_REGISTRY_URL=url, QUILT_API_KEY=TOKEN))
    with pytest.raises(QuiltMCPError, match="read timeout of 0.1 s"):
        confirm_identity(spec, Timeouts(connect=1, read=0.1))
    assert faults.requests == ["/graphql"]


def test_the_plugin_reports_a_confirmed_identity_not_usable_until_its_operations_exist(catalog: Catalog) -> None:
    candidate = plugin.quilt_mcp_detect(_context(QUILT_MCP_REGISTRY_URL=catalog[0], QUILT_API_KEY=TOKEN))
    assert "as ada" in candidate.reason and candidate.usable
