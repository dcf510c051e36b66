"""The ASGI app of ``quilt-mcp serve --transport http``: stateless streamable HTTP at ``/mcp``.

``create_app(settings, http)`` builds it; ``app_from_env()`` is the factory
uvicorn's worker processes call (``quilt_mcp.http.app:app_from_env``), from
the ``QUILT_MCP_*`` environment alone. Layers, outermost first:
``ServerLimits`` (in progress in total and per token, body size), fastmcp's
bearer-token authentication, ``WriteScopeGate`` (jwt mode),
then the MCP endpoint, which 401s a request without a valid token. Routes
without auth: ``/healthz``, ``/readyz`` and the RFC 9728 metadata.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastmcp import FastMCP
from fastmcp.server.auth import TokenVerifier
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from quilt_mcp.advice import install_hint, nothing_installed_hint
from quilt_mcp.errors import BackendUnavailableError, NotSupportedError
from quilt_mcp.http.catalog_auth import CatalogVerifier, catalog_verifier
from quilt_mcp.http.health import Readiness, healthz
from quilt_mcp.http.jwt_auth import jwt_verifier
from quilt_mcp.http.limits import ServerLimits
from quilt_mcp.http.logs import configure_logging
from quilt_mcp.http.scopes import WriteScopeGate
from quilt_mcp.http.session import BackendCache, CallerSession
from quilt_mcp.http.settings import OPTIONS, HttpSettings
from quilt_mcp.http.wellknown import resource_metadata_url, resource_server
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.server.collector import settle
from quilt_mcp.settings import Settings

MCP_PATH = "/mcp"


REGISTRY_URL_ENV = OPTIONS["registry_url"].env

CATALOG_BACKEND = "platform"
"""The backend ``--auth catalog`` uses unless one is forced: it acts as the catalog user of the token."""


def multi_user_host(settings: Settings, host: PluginHost | None = None) -> tuple[Settings, PluginHost]:
    """Settings and plugins for serving many users: backends holding one identity per process left out.

    ``NotSupportedError`` naming the backends that can serve when the
    forced backend (``QUILT_MCP_BACKEND``) holds one identity per process,
    or when no installed backend can hold several; ``BackendUnavailableError``
    when the forced backend is not installed.
    """
    host = host or PluginHost.discover(settings)
    infos = host.backend_infos()
    single = {name for name, info in infos.items() if not info.multi_identity}
    able = sorted(set(infos) - single)
    can = f"Backends that can: {', '.join(able)}." if able else "No installed backend can."
    if settings.backend and settings.backend not in infos:
        raise BackendUnavailableError(
            f"The {settings.backend} backend is not installed, so this server cannot act through it.",
            f"{can} {install_hint(settings.backend)} Or choose another with --backend.",
        )
    if settings.backend in single:
        raise NotSupportedError(
            f"The {settings.backend} backend holds one identity per process (its login is process-wide), "
            "so it cannot act for many users over HTTP.",
            f"{can} Choose one with --backend NAME, or serve {settings.backend} on stdio (one user).",
        )
    if not able:
        raise NotSupportedError(
            "No installed backend can act for many users over HTTP.",
            "Install one that can: the iam backend (the server's AWS credentials) or the platform backend "
            f"(each caller's Quilt catalog token). {nothing_installed_hint()}",
        )
    if not single:
        return settings, host
    settings = settings.with_overrides(disabled_plugins=settings.disabled_plugins | single)
    return settings, PluginHost.discover(settings)


def verifier_for(http: HttpSettings, env: Mapping[str, str]) -> TokenVerifier:
    """The token verifier of ``http.auth`` (``InvalidInputError`` when misconfigured)."""
    return jwt_verifier(http, dict(env)) if http.auth == "jwt" else catalog_verifier(http)


def create_app(
    settings: Settings | None = None,
    http: HttpSettings | None = None,
    *,
    host: PluginHost | None = None,
    env: Mapping[str, str] | None = None,
) -> ASGIApp:
    """The HTTP app for ``settings`` and ``http`` (default: both from ``env``, default ``os.environ``).

    Raises ``QuiltMCPError`` (with a hint) when the configuration cannot serve.
    """
    env = os.environ if env is None else env
    settings = (settings or Settings.from_env(env)).with_overrides(transport="http")
    http = http or HttpSettings.from_env(env)
    http.check()
    if http.auth == "catalog":
        if not settings.backend:
            settings = settings.with_overrides(backend=CATALOG_BACKEND)  # never the server's own credentials
        env = {**env, REGISTRY_URL_ENV: http.registry_url or ""}  # the backend acts on the catalog that vouched
    settings, host = multi_user_host(settings, host)
    session = CallerSession(settings, host, BackendCache(http.backend_cache_size, http.backend_max_age), env)
    verifier = verifier_for(http, env)
    mcp = build_server(settings, host=host, session=session, auth=resource_server(verifier, http))
    mcp.custom_route("/healthz", methods=["GET"])(healthz)
    catalog_client = verifier.client if isinstance(verifier, CatalogVerifier) else None
    mcp.custom_route("/readyz", methods=["GET"])(Readiness(session, http, catalog_client).respond)
    middleware: list[Middleware] = []
    if http.auth == "jwt" and http.write_scope:
        middleware.append(
            Middleware(
                WriteScopeGate,
                paths=[MCP_PATH],
                scope=http.write_scope,
                write_tools=lambda: writing_tools(mcp),
                resource_metadata_url=resource_metadata_url(http),
            )
        )
    app = mcp.http_app(path=MCP_PATH, stateless_http=True, middleware=middleware)
    close: Callable[[], Awaitable[None]] | None = getattr(verifier, "aclose", None)
    if close is not None:  # a verifier holding resources (the catalog one's pooled client) frees them at shutdown
        closing_at_shutdown(app, close)
    return ServerLimits(
        app,
        paths=[MCP_PATH],
        max_concurrent=http.max_concurrent,
        per_caller=http.max_concurrent_per_identity,
        max_body_bytes=http.max_body_bytes,
    )


def closing_at_shutdown(app: Starlette, close: Callable[[], Awaitable[None]]) -> None:
    """Have ``app``'s lifespan await ``close()`` after its own shutdown."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: Starlette) -> AsyncIterator[Any]:
        async with inner(started) as state:
            try:
                yield state
            finally:
                await close()

    app.router.lifespan_context = lifespan


async def writing_tools(mcp: FastMCP) -> frozenset[str]:
    """Names of ``mcp``'s tools not annotated read-only (core and plugin tools alike)."""
    tools = await mcp.list_tools(run_middleware=False)
    return frozenset(t.name for t in tools if not (t.annotations and t.annotations.read_only_hint))


def app_from_env() -> ASGIApp:
    """The app from the environment alone: the factory each uvicorn worker calls."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    app = create_app(settings)
    settle()
    return app
