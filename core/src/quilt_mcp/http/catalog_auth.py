"""``--auth catalog``: bearer tokens confirmed by the Quilt catalog that issued them.

A catalog's registry tokens and ``qk_`` API keys can be checked only by that
catalog, so each new token is sent to it - ``POST <registry>/graphql`` with
``{ me { ... } }`` and the token as ``Authorization: Bearer`` - and to
nothing else. A confirmed token is trusted for ``cache_seconds`` (keyed by
its hash), so a revoked one stops working within that time. The platform
backend then acts as that user with the same token.

The checks of one worker process share one pooled HTTP client, made on the
first check (in the worker's event loop) and closed by ``aclose`` at
shutdown: a client (and its SSL context) per check cost the event loop
enough to starve it under load. ``/readyz`` asks the catalog through it too.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import httpx2
from fastmcp.server.auth import AccessToken, TokenVerifier

from quilt_mcp.errors import BackendUnavailableError, InvalidInputError
from quilt_mcp.http.settings import OPTIONS, HttpSettings
from quilt_mcp.http.tokens import token_key

log = logging.getLogger("quilt_mcp.http.auth")

ME_QUERY = "query { me { name email role { name } } }"
"""Valid on both published catalog schemas (``Me.name``, ``Me.email``, ``MyRole.name``)."""
KEEPALIVE_SECONDS = 2.0
"""How long an idle connection to the catalog is reused: below the idle timeouts servers commonly close at
(uvicorn 5 s, load balancers 60 s), so a check never picks a connection the catalog is closing."""


class CatalogUnavailable(BackendUnavailableError):
    """The catalog could not say whether a token is good (timeout, 5xx): the caller should retry, not re-login."""


class CatalogVerifier(TokenVerifier):
    """Confirms tokens with a catalog's ``me`` query; caches confirmations by token hash.

    ``verify_token`` returns None for a token the catalog refuses (HTTP
    401/403, or ``me`` null) and raises ``CatalogUnavailable`` when the
    catalog cannot answer; the server turns that into 503.
    """

    def __init__(
        self,
        registry_url: str,
        *,
        cache_seconds: int = 60,
        cache_size: int = 4096,
        timeout: float = 5.0,
        base_url: str | None = None,
    ) -> None:
        super().__init__(base_url=base_url)
        self.registry_url = registry_url.rstrip("/")
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self.timeout = timeout
        self._confirmed: OrderedDict[str, tuple[float, AccessToken]] = OrderedDict()
        self._lock = threading.Lock()
        self._http: httpx2.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"CatalogVerifier({self.registry_url!r})"

    async def verify_token(self, token: str) -> AccessToken | None:
        key = token_key(token)
        cached = self._cached(key)
        if cached is not None:
            return cached
        me = await self._ask_me(token)
        if me is None:
            return None
        access = AccessToken(
            token=token,
            client_id=str(me.get("email") or me.get("name")),
            subject=str(me.get("name")),
            scopes=[],
            expires_at=_expiry(token),
            claims={"catalog_user": me.get("name"), "role": (me.get("role") or {}).get("name")},
        )
        with self._lock:
            self._confirmed[key] = (time.monotonic() + self.cache_seconds, access)
            while len(self._confirmed) > self.cache_size:
                self._confirmed.popitem(last=False)
        return access

    def _cached(self, key: str) -> AccessToken | None:
        with self._lock:
            hit = self._confirmed.get(key)
            if hit is None:
                return None
            until, access = hit
            if until <= time.monotonic() or (access.expires_at is not None and access.expires_at <= time.time()):
                del self._confirmed[key]
                return None
            return access

    async def aclose(self) -> None:
        """Close the shared HTTP client (the server's shutdown); a later check makes a new one."""
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    def client(self) -> httpx2.AsyncClient:
        """The shared client, made on first use (call it in the event loop that will use it); closed by ``aclose``.

        Every wait (connect, read, write, a free pooled connection) is bounded by ``timeout``.
        """
        if self._http is None:
            limits = httpx2.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_SECONDS)
            self._http = httpx2.AsyncClient(timeout=self.timeout, limits=limits)
        return self._http

    async def _ask_me(self, token: str) -> dict[str, Any] | None:
        url = f"{self.registry_url}/graphql"
        try:
            response = await self.client().post(
                url, json={"query": ME_QUERY}, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx2.HTTPError as err:
            raise CatalogUnavailable(
                f"The catalog at {self.registry_url} did not answer ({type(err).__name__}).",
                "Retry shortly; if it persists, check QUILT_MCP_REGISTRY_URL and the catalog's health.",
            ) from None
        if response.status_code in (401, 403):
            log.info("token refused by the catalog (HTTP %d)", response.status_code)
            return None
        if response.status_code >= 400:
            raise CatalogUnavailable(
                f"The catalog at {self.registry_url} answered HTTP {response.status_code} to a token check.",
                "Retry shortly; if it persists, check the catalog's health.",
            )
        try:
            me = response.json()["data"]["me"]
        except (ValueError, KeyError, TypeError):
            raise CatalogUnavailable(
                f"The catalog at {self.registry_url} gave an answer that is not GraphQL.",
                "Check that QUILT_MCP_REGISTRY_URL names the catalog's registry (API) URL.",
            ) from None
        if not me:
            log.info("token refused by the catalog (no user)")
        return me or None


def _expiry(token: str) -> int | None:
    """``exp`` of a registry JWT, read without verification (the catalog vouched for it); None for API keys."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return int(payload["exp"])
    except (ValueError, KeyError, TypeError):
        return None


def catalog_verifier(settings: HttpSettings) -> CatalogVerifier:
    """The verifier ``settings`` describe; ``InvalidInputError`` without a registry URL."""
    if not settings.registry_url:
        raise InvalidInputError(
            "--auth catalog needs the catalog's registry URL.",
            f"Pass --registry-url https://registry.example.com or set {OPTIONS['registry_url'].env}.",
        )
    return CatalogVerifier(
        settings.registry_url, cache_seconds=settings.token_cache_seconds, base_url=settings.base_url
    )
