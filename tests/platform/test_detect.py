"""Detection: a catalog and a token from the environment (or the HTTP request), confirmed with ``me``."""

from __future__ import annotations

import pytest
from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import QuiltMCPError
from quilt_mcp_platform import plugin
from quilt_mcp_platform.detect import API_KEY_VAR, TOKEN_VAR, confirm_identity, detect, find_spec
from quilt_mcp_platform.graphql.client import Timeouts

from tests.hung_endpoint import hung_endpoint
from tests.platform.conftest import USER, Site


def _context(bearer: str | None = None, **env: str) -> AuthContext:
    context = AuthContext.from_environment(env)
    return AuthContext(context.env, context.settings, bearer_token=bearer)


def test_without_a_catalog_or_a_token_it_is_not_usable_and_says_what_to_set() -> None:
    nothing = detect(_context())
    assert not nothing.usable and "QUILT_MCP_CATALOG_URL" in nothing.reason
    with hung_endpoint() as catalog:  # asking it anything would time out and say so
        no_token = detect(_context(QUILT_MCP_CATALOG_URL=catalog))
    assert not no_token.usable and API_KEY_VAR in no_token.reason and TOKEN_VAR in no_token.reason
    assert "could not read" not in no_token.reason  # nothing asked without a token


def test_an_api_key_and_the_catalogs_config_json_name_the_user_and_the_catalog(catalog: Site) -> None:
    url = catalog.url
    candidate = detect(_context(QUILT_MCP_CATALOG_URL=url, QUILT_API_KEY=catalog.key))
    assert candidate.usable and (candidate.backend, candidate.priority) == ("platform", 200)
    assert candidate.identity == "ada@example.com"
    assert candidate.reason == f"catalog {url} confirmed the token from QUILT_API_KEY as ada, role ReadWrite"
    assert candidate.details["registry"] == url  # from config.json's registryUrl
    assert catalog.key not in repr(candidate) and catalog.key not in repr(candidate.credential)


def test_the_http_requests_bearer_is_used_instead_of_the_environments(catalog: Site) -> None:
    with hung_endpoint() as hung:  # the registry URL is given: reading the catalog's config.json would time out
        context = _context(
            catalog.key, QUILT_MCP_CATALOG_URL=hung, QUILT_MCP_REGISTRY_URL=catalog.url, QUILT_MCP_CATALOG_TOKEN="stale"
        )
        candidate = detect(context)
    assert candidate.usable and "the HTTP request's bearer token" in candidate.reason


def test_an_expired_token_is_not_usable_and_the_reason_never_shows_it(catalog: Site) -> None:
    expired = catalog.catalog.token_for(USER, ttl=-60)
    candidate = detect(_context(QUILT_MCP_REGISTRY_URL=catalog.url, QUILT_MCP_CATALOG_TOKEN=expired))
    assert not candidate.usable and "HTTP 401" in candidate.reason and TOKEN_VAR in candidate.reason
    assert expired not in candidate.reason


def test_a_catalog_without_config_json_asks_for_the_registry_url(catalog: Site) -> None:
    candidate = detect(_context(QUILT_MCP_CATALOG_URL=catalog.url + "/nowhere", QUILT_API_KEY=catalog.key))
    assert not candidate.usable and "QUILT_MCP_REGISTRY_URL" in candidate.reason


def test_identity_is_asked_under_a_short_timeout_without_retry(catalog: Site) -> None:
    catalog.catalog.set_faults(latency=0.5)
    spec = find_spec(_context(QUILT_MCP_REGISTRY_URL=catalog.url, QUILT_API_KEY=catalog.key))
    with pytest.raises(QuiltMCPError, match="read timeout of 0.1 s") as caught:
        confirm_identity(spec, Timeouts(connect=1, read=0.1))
    assert "attempts" not in caught.value.message  # one attempt: a retried request says how many


def test_the_plugin_reports_a_confirmed_identity(catalog: Site) -> None:
    candidate = plugin.quilt_mcp_detect(_context(QUILT_MCP_REGISTRY_URL=catalog.url, QUILT_API_KEY=catalog.key))
    assert "as ada" in candidate.reason and candidate.usable
