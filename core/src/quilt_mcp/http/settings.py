"""HTTP serving settings: one table gives each its field, environment variable and flag.

Every setting is an environment variable (``QUILT_MCP_*``); the command-line
flags of ``quilt-mcp serve --transport http`` write those variables, so
uvicorn's worker processes, which build the app from the environment, see
the same configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from quilt_mcp.errors import InvalidInputError

AuthMode = Literal["jwt", "catalog"]
AUTH_MODES: tuple[AuthMode, ...] = ("jwt", "catalog")


@dataclass(frozen=True)
class Option:
    """One setting: its environment variable, flag, value type and help text."""

    env: str
    flag: str
    kind: type
    help: str


OPTIONS: dict[str, Option] = {
    "host": Option("QUILT_MCP_HOST", "--host", str, "Interface to listen on (default 127.0.0.1)."),
    "port": Option("QUILT_MCP_PORT", "--port", int, "TCP port (default 8000)."),
    "workers": Option("QUILT_MCP_WORKERS", "--workers", int, "Worker processes (default 1); they share nothing."),
    "public_url": Option(
        "QUILT_MCP_PUBLIC_URL",
        "--public-url",
        str,
        "Base URL clients reach this server at (default http://HOST:PORT); the resource is PUBLIC_URL/mcp.",
    ),
    "auth": Option("QUILT_MCP_AUTH", "--auth", str, "How tokens are verified: jwt or catalog (required)."),
    "authorization_server": Option(
        "QUILT_MCP_AUTHORIZATION_SERVER",
        "--authorization-server",
        str,
        "Authorization server named in /.well-known/oauth-protected-resource "
        "(default: the JWT issuer, or the catalog registry).",
    ),
    "jwt_issuer": Option("QUILT_MCP_JWT_ISSUER", "--jwt-issuer", str, "Required 'iss' of tokens (jwt mode)."),
    "jwt_audience": Option(
        "QUILT_MCP_JWT_AUDIENCE", "--jwt-audience", str, "Required 'aud' (default: this server's resource URL)."
    ),
    "jwt_jwks_url": Option("QUILT_MCP_JWT_JWKS_URL", "--jwt-jwks-url", str, "JWKS URL of the token issuer."),
    "jwt_public_key_file": Option(
        "QUILT_MCP_JWT_PUBLIC_KEY_FILE", "--jwt-public-key-file", str, "PEM public key verifying tokens."
    ),
    "jwt_secret_file": Option(
        "QUILT_MCP_JWT_SECRET_FILE",
        "--jwt-secret-file",
        str,
        "File holding the HMAC secret (HS256); or put the secret itself in QUILT_MCP_JWT_SECRET.",
    ),
    "jwt_algorithms": Option(
        "QUILT_MCP_JWT_ALGORITHMS",
        "--jwt-algorithms",
        str,
        "Comma-separated accepted algorithms (default RS256 for keys, HS256 for a secret; never 'none').",
    ),
    "jwt_leeway": Option("QUILT_MCP_JWT_LEEWAY", "--jwt-leeway", int, "Clock skew allowed on exp/nbf, seconds (30)."),
    "required_scopes": Option(
        "QUILT_MCP_REQUIRED_SCOPES", "--required-scopes", str, "Comma-separated scopes every request needs (jwt)."
    ),
    "write_scope": Option(
        "QUILT_MCP_WRITE_SCOPE", "--write-scope", str, "Scope a token needs for writing tools (jwt; quilt:write)."
    ),
    "registry_url": Option(
        "QUILT_MCP_REGISTRY_URL", "--registry-url", str, "Quilt catalog registry checking tokens (catalog mode)."
    ),
    "token_cache_seconds": Option(
        "QUILT_MCP_TOKEN_CACHE_SECONDS", "--token-cache-seconds", int, "How long a catalog-confirmed token is trusted (60)."
    ),
    "max_body_bytes": Option(
        "QUILT_MCP_MAX_BODY_BYTES", "--max-body-bytes", int, "Largest request body accepted (4194304)."
    ),
    "max_concurrent": Option(
        "QUILT_MCP_MAX_CONCURRENT", "--max-concurrent", int, "Requests in progress per worker; more get 503 (64)."
    ),
    "max_concurrent_per_identity": Option(
        "QUILT_MCP_MAX_CONCURRENT_PER_IDENTITY",
        "--max-concurrent-per-identity",
        int,
        "Requests in progress per caller per worker; more get 429 (8).",
    ),
    "backend_cache_size": Option(
        "QUILT_MCP_BACKEND_CACHE_SIZE", "--backend-cache-size", int, "Callers whose backend is kept open (256)."
    ),
    "backend_max_age": Option(
        "QUILT_MCP_BACKEND_MAX_AGE", "--backend-max-age", int, "Longest a caller's backend is kept, seconds (900)."
    ),
    "shutdown_seconds": Option(
        "QUILT_MCP_SHUTDOWN_SECONDS", "--shutdown-seconds", int, "On SIGTERM, how long in-flight requests may finish (30)."
    ),
}
"""Every HTTP setting by field name; ``HttpSettings`` has one field per entry."""

SECRET_ENV = "QUILT_MCP_JWT_SECRET"
"""The HMAC secret itself, when not in a file. Never a flag (it would show in ``ps``)."""


@dataclass(frozen=True)
class HttpSettings:
    """How the HTTP server listens, verifies tokens and bounds its work (see ``OPTIONS``)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_url: str | None = None
    auth: str | None = None
    authorization_server: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_jwks_url: str | None = None
    jwt_public_key_file: str | None = None
    jwt_secret_file: str | None = None
    jwt_algorithms: str | None = None
    jwt_leeway: int = 30
    required_scopes: str | None = None
    write_scope: str = "quilt:write"
    registry_url: str | None = None
    token_cache_seconds: int = 60
    max_body_bytes: int = 4 * 1024 * 1024
    max_concurrent: int = 64
    max_concurrent_per_identity: int = 8
    backend_cache_size: int = 256
    backend_max_age: int = 900
    shutdown_seconds: int = 30

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HttpSettings:
        """Settings from ``env`` (default ``os.environ``); ``InvalidInputError`` for a malformed number."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for name, option in OPTIONS.items():
            raw = env.get(option.env, "").strip()
            if not raw:
                continue
            if option.kind is int:
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise InvalidInputError(
                        f"{option.env}={raw!r} is not a whole number.", f"Set {option.env} (or {option.flag}) to one."
                    ) from None
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]

    @property
    def base_url(self) -> str:
        """Where clients reach this server, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def resource_url(self) -> str:
        """This server's MCP endpoint: the resource tokens are for (RFC 9728, RFC 8707)."""
        return f"{self.base_url}/mcp"

    @property
    def scopes(self) -> list[str]:
        """``required_scopes`` as a list."""
        return split_list(self.required_scopes)

    def check(self) -> None:
        """``InvalidInputError`` when the settings cannot serve: no auth mode, bad numbers."""
        if self.auth not in AUTH_MODES:
            given = f" (got {self.auth!r})" if self.auth else ""
            raise InvalidInputError(
                f"HTTP mode needs an auth mode{given}: jwt or catalog.",
                "Pass --auth jwt (tokens verified locally with a key) or --auth catalog (tokens confirmed by a "
                "Quilt catalog), or set QUILT_MCP_AUTH. There is no unauthenticated HTTP mode.",
            )
        for name in ("port", "workers", "max_body_bytes", "max_concurrent", "max_concurrent_per_identity",
                     "backend_cache_size", "backend_max_age"):
            if getattr(self, name) < 1:
                option = OPTIONS[name]
                raise InvalidInputError(f"{option.env} must be at least 1.", f"Fix {option.flag} / {option.env}.")


def split_list(value: str | None) -> list[str]:
    """A comma- or space-separated list as its non-empty items."""
    return [item for item in (value or "").replace(",", " ").split() if item]


def export(values: Mapping[str, object], env: dict[str, str] | None = None) -> None:
    """Write the given (non-None) settings into ``env`` (default ``os.environ``) as their variables."""
    target = os.environ if env is None else env
    for name, value in values.items():
        if value is not None and name in OPTIONS:
            target[OPTIONS[name].env] = str(value)

