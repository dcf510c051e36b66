"""Fixtures for the server tests: the real iam backend on moto S3 or a local directory,
reached through fastmcp's in-memory ``Client`` in both protocol eras."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastmcp import Client, FastMCP
from mcp_types.version import LATEST_MODERN_VERSION

from quilt_mcp.auth import AuthContext
from quilt_mcp.ops import QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import select_backend
from quilt_mcp.server import build_server
from quilt_mcp.settings import Settings

PROTOCOLS = ["legacy", LATEST_MODERN_VERSION]
"""``legacy``: the initialize handshake (2025-11-25 and before); the other: the stateless 2026 era."""


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    """How the client connects: the legacy handshake or the current protocol version."""
    return request.param


@pytest.fixture(params=["local", "s3"])
def registry_uri(request: pytest.FixtureRequest, infra: Any) -> str:
    """A fresh, empty registry: a local directory or a moto S3 bucket."""
    if request.param == "local":
        return str(infra.new_dir("registry"))
    return f"s3://{infra.new_bucket()}"


@pytest.fixture
def s3_registry(infra: Any) -> str:
    """A fresh, empty registry in a moto S3 bucket."""
    return f"s3://{infra.new_bucket()}"


def iam_settings(*registries: str, **changes: Any) -> Settings:
    """Settings that force the iam backend and name ``registries``."""
    return Settings(backend="iam", registries=registries, **changes)


def open_iam(registry: str) -> QuiltOps:
    """The real iam backend, opened through discovery and selection as the server would."""
    settings = iam_settings(registry)
    host = PluginHost.discover(settings)
    context = AuthContext.from_environment(settings=settings)
    return host.open(select_backend(host, context).chosen, context)


@asynccontextmanager
async def connect(server: FastMCP, protocol: str, **kwargs: Any) -> AsyncIterator[Client]:
    """An in-memory client session with ``server`` in the given protocol era."""
    async with Client(server, mode=protocol, **kwargs) as client:
        yield client


@pytest.fixture
async def client(registry_uri: str, protocol: str, infra: Any) -> AsyncIterator[Client]:
    """A client of a server on ``registry_uri`` (its default registry), backend chosen as in production."""
    async with connect(build_server(iam_settings(registry_uri)), protocol) as session:
        yield session


@pytest.fixture
def call(client: Client) -> Callable[..., Any]:
    """``await call(tool, **arguments)``: the tool's structured result; fails the test on a tool error."""

    async def run(tool: str, **arguments: Any) -> dict[str, Any]:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
        assert not result.is_error, f"{tool} failed: {result.content[0].text}"
        return result.structured_content

    return run


async def error_text(client: Client, tool: str, **arguments: Any) -> str:
    """The text of the tool error ``tool`` returns; fails the test if it succeeds."""
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert len(result.content) == 1
    return result.content[0].text
