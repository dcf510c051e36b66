"""Finding a Quilt catalog and a token for it, and confirming who the token belongs to.

==============================  =============================================================
environment variable            meaning
==============================  =============================================================
``QUILT_MCP_CATALOG_URL``       (core setting ``catalog_url``) the catalog, e.g. ``https://catalog.example.com``; its
                                ``config.json`` names the registry when the next is unset
``QUILT_MCP_REGISTRY_URL``      the catalog's registry (API), e.g. ``https://registry.example.com``
``QUILT_API_KEY``               a catalog API key (``qk_...``), as Quilt documents for stdio clients
``QUILT_MCP_CATALOG_TOKEN``     a registry token (JWT), when no API key is set
==============================  =============================================================

In HTTP mode the request's bearer token (``AuthContext.bearer_token``) is the
token and the environment's are ignored. Every network call here has a short
timeout and no retry; the token never appears in a candidate's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx2
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import QuiltMCPError

from quilt_mcp_platform import BACKEND, PRIORITY
from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import DEFAULT_TIMEOUTS, READ_RETRIES, CatalogClient, Timeouts

CATALOG_URL_VAR = "QUILT_MCP_CATALOG_URL"
REGISTRY_URL_VAR = "QUILT_MCP_REGISTRY_URL"
API_KEY_VAR = "QUILT_API_KEY"
TOKEN_VAR = "QUILT_MCP_CATALOG_TOKEN"
BEARER = "the HTTP request's bearer token"
DETECT_TIMEOUTS = Timeouts(connect=2.0, read=3.0)
"""Detection waits at most this long for the catalog (``config.json``, then ``me``)."""


@dataclass(frozen=True)
class CatalogSpec:
    """Where the catalog is and the token to use there; the token never shows in ``repr``."""

    registry_url: str
    catalog_url: str | None
    token: str = field(repr=False)
    token_source: str

    def client(self, timeouts: Timeouts = DEFAULT_TIMEOUTS, read_retries: int = READ_RETRIES) -> CatalogClient:
        """A client of this catalog's registry acting with this token."""
        return CatalogClient(self.registry_url, self.token, timeouts=timeouts, read_retries=read_retries)

    @property
    def where(self) -> str:
        return self.catalog_url or self.registry_url


class NotConfigured(Exception):
    """What is missing or wrong in the configuration, said so a user can fix it."""


def find_token(context: AuthContext) -> tuple[str, str] | None:
    """``(token, where it came from)``: the request's bearer in HTTP mode, else the environment's."""
    if context.bearer_token:
        return context.bearer_token, BEARER
    for var in (API_KEY_VAR, TOKEN_VAR):
        value = context.env.get(var, "").strip()
        if value:
            return value, var
    return None


def registry_from_catalog(catalog_url: str, timeouts: Timeouts = DETECT_TIMEOUTS) -> str:
    """The ``registryUrl`` of ``<catalog_url>/config.json``; ``NotConfigured`` saying why when there is none."""
    url = f"{catalog_url.rstrip('/')}/config.json"
    try:
        response = httpx2.get(url, timeout=timeouts.httpx2(), follow_redirects=True)
        response.raise_for_status()
        registry = response.json().get("registryUrl")
    except (httpx2.HTTPError, ValueError, AttributeError) as err:
        raise NotConfigured(
            f"could not read {url} ({type(err).__name__}): set {REGISTRY_URL_VAR} to the catalog's registry URL"
        ) from None
    if not isinstance(registry, str) or not registry.startswith(("http://", "https://")):
        raise NotConfigured(f"{url} names no registryUrl: set {REGISTRY_URL_VAR} to the catalog's registry URL")
    return registry.rstrip("/")


def find_spec(context: AuthContext) -> CatalogSpec:
    """The catalog and token ``context`` configures; ``NotConfigured`` saying what is missing."""
    catalog = (context.settings.catalog_url or "").rstrip("/") or None
    registry = context.env.get(REGISTRY_URL_VAR, "").strip().rstrip("/") or None
    found = find_token(context)
    if catalog is None and registry is None:
        raise NotConfigured(
            f"no Quilt catalog configured: set {CATALOG_URL_VAR} (or {REGISTRY_URL_VAR}) "
            f"and {API_KEY_VAR} to an API key from that catalog"
        )
    if found is None:
        raise NotConfigured(
            f"no catalog token for {catalog or registry}: set {API_KEY_VAR} to an API key (qk_...) "
            f"created in the catalog, or {TOKEN_VAR} to a registry token"
        )
    if registry is None:
        assert catalog is not None
        registry = registry_from_catalog(catalog)
    token, source = found
    return CatalogSpec(registry, catalog, token, source)


def confirm_identity(spec: CatalogSpec, timeouts: Timeouts = DETECT_TIMEOUTS) -> results.Me:
    """The user ``spec``'s token belongs to, asked with ``me`` under ``timeouts`` and no retry."""
    with spec.client(timeouts=timeouts, read_retries=0) as client:
        me = results.parse_me(client.execute(operations.me()))
    if me is None:
        raise NotConfigured(f"{spec.where} accepted the token from {spec.token_source} but names no user for it")
    return me


def detect(context: AuthContext) -> Candidate:
    """The platform candidate: usable when the catalog confirms the token's user, else why not."""
    try:
        spec = find_spec(context)
    except NotConfigured as problem:
        return _unusable(str(problem))
    try:
        me = confirm_identity(spec)
    except NotConfigured as problem:
        return _unusable(str(problem))
    except QuiltMCPError as err:
        return _unusable(f"the catalog did not confirm the token from {spec.token_source}: {err}")
    role = f", role {me.role}" if me.role else ""
    return Candidate(
        backend=BACKEND,
        priority=PRIORITY,
        identity=me.email or me.name,
        reason=f"catalog {spec.where} confirmed the token from {spec.token_source} as {me.name}{role}",
        details={
            "catalog": spec.catalog_url or "",
            "registry": spec.registry_url,
            "token": spec.token_source,
            "user": me.name,
            "role": me.role,
        },
        credential=spec,
    )


def _unusable(reason: str) -> Candidate:
    return Candidate(backend=BACKEND, priority=PRIORITY, identity="", reason=reason, usable=False)
