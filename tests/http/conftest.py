"""Fixtures: the HTTP server on a loopback port (iam backend on moto S3), RSA-signed tokens for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp_types.version import LATEST_MODERN_VERSION

from quilt_mcp.http.app import create_app
from quilt_mcp.settings import Settings
from tests.http.support import RsaKey, claims, http_settings, serving

PROTOCOLS = ["2025-11-25", LATEST_MODERN_VERSION]


@dataclass(frozen=True)
class Served:
    """A running server: its base URL, default registry and a way to mint tokens it accepts."""

    url: str
    registry: str
    key: RsaKey

    @property
    def resource(self) -> str:
        return f"{self.url}/mcp"

    def token(self, **changes: Any) -> str:
        """A valid RS256 token for this server (``changes`` alter or, with None, drop claims)."""
        return self.key.sign(claims(self.resource, **changes))


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    """The protocol version the client speaks: 2025-11-25 (initialize handshake) or the stateless 2026 one."""
    return "legacy" if request.param == "2025-11-25" else request.param


@pytest.fixture(scope="module")
def rsa_key() -> RsaKey:
    return RsaKey()


@pytest.fixture(scope="module")
def pem_file(rsa_key: RsaKey, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "public.pem"
    path.write_bytes(rsa_key.public_pem)
    return path


@pytest.fixture(scope="module")
def start_server(infra: Any, rsa_key: RsaKey, pem_file: Path) -> Callable[..., Any]:
    """``with start_server(**http_changes) as served``: a server on a fresh S3 registry, iam backend, RS256 tokens."""
    from contextlib import contextmanager

    @contextmanager
    def start(**changes: Any) -> Iterator[Served]:
        registry = f"s3://{infra.new_bucket()}"
        settings = Settings(backend="iam", registries=(registry,))
        changes.setdefault("jwt_public_key_file", str(pem_file))
        with serving(lambda port: create_app(settings, http_settings(port, **changes))) as url:
            yield Served(url, registry, rsa_key)

    return start


@pytest.fixture(scope="module")
def server(start_server: Callable[..., Any]) -> Iterator[Served]:
    """One server for the module, with default limits and scopes."""
    with start_server() as served:
        yield served


@pytest.fixture(scope="session")
def team(infra: Any) -> Iterator[Any]:
    """``tests.http.team.Team``: four catalog users with disjoint buckets (one catalog per xdist worker)."""
    from tests.http.team import start_team

    started = start_team(infra)
    yield started
    started.catalog.stop()
