"""RFC 9728 protected-resource metadata, at the path-scoped URL and at the root.

fastmcp's ``RemoteAuthProvider`` serves the metadata at
``/.well-known/oauth-protected-resource/mcp`` (the URL named in every
``WWW-Authenticate`` challenge); clients that look at the root
``/.well-known/oauth-protected-resource`` get the same document.
"""

from __future__ import annotations

from fastmcp.server.auth import RemoteAuthProvider, TokenVerifier
from pydantic import AnyHttpUrl
from starlette.middleware import Middleware
from starlette.routing import Route

from quilt_mcp.http.limits import CatalogOutage
from quilt_mcp.http.settings import HttpSettings

ROOT_METADATA_PATH = "/.well-known/oauth-protected-resource"


class ResourceServerAuth(RemoteAuthProvider):
    """This server as an OAuth 2.1 resource server: ``verifier`` checks tokens, metadata names the issuer.

    A catalog that cannot answer a token check gives 503 (``CatalogOutage``, outside authentication).
    """

    def get_middleware(self) -> list[Middleware]:
        return [Middleware(CatalogOutage), *super().get_middleware()]

    def get_routes(self, mcp_path: str | None = None) -> list[Route]:
        routes = super().get_routes(mcp_path)
        scoped = next(r for r in routes if r.path.startswith(ROOT_METADATA_PATH))
        return [*routes, Route(ROOT_METADATA_PATH, endpoint=scoped.endpoint, methods=["GET", "OPTIONS"])]


def resource_server(verifier: TokenVerifier, settings: HttpSettings) -> ResourceServerAuth:
    """The auth provider for ``settings``: tokens checked by ``verifier``, metadata naming the authorization server."""
    authority = settings.authorization_server or settings.jwt_issuer or settings.registry_url
    return ResourceServerAuth(
        token_verifier=verifier,
        authorization_servers=[AnyHttpUrl(str(authority))],
        base_url=settings.base_url,
        resource_name="quilt-mcp",
    )


def resource_metadata_url(settings: HttpSettings) -> str:
    """The metadata URL challenges name (``/.well-known/oauth-protected-resource/mcp``)."""
    return f"{settings.base_url}{ROOT_METADATA_PATH}/mcp"
