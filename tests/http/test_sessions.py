"""One backend per caller: detection sees the caller's token, the cache is bounded and expires with tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest
from fastmcp.server.auth import AccessToken
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import AuthRequiredError, NotSupportedError
from quilt_mcp.http.app import multi_user_host
from quilt_mcp.http.session import BackendCache, CallerSession
from quilt_mcp.models import BackendInfo
from quilt_mcp.plugins import PluginHost
from quilt_mcp.settings import Settings


class TokenBackend:
    """A multi-identity test backend acting as whoever's token detection is given; records what it saw."""

    name = "tokens"

    def __init__(self) -> None:
        self.seen: list[AuthContext] = []

    @hookimpl
    def quilt_mcp_backend_info(self) -> BackendInfo:
        return BackendInfo(
            name=self.name, version="1", priority=1, capabilities=frozenset({"read"}), summary="t", multi_identity=True
        )

    @hookimpl
    def quilt_mcp_detect(self, context: AuthContext) -> Candidate:
        self.seen.append(context)
        token = context.bearer_token
        return Candidate(self.name, 1, f"user-of-{token}", "a bearer token", usable=token is not None)

    @hookimpl
    def quilt_mcp_open(self, candidate: Candidate, context: AuthContext) -> Any:
        return {"acting_as": candidate.identity}


@contextmanager
def calling_as(token: str, expires_at: int | None = None) -> Iterator[None]:
    """Run the block as the HTTP transport does for a verified request carrying ``token``."""
    access = AccessToken(token=token, client_id="c", scopes=[], expires_at=expires_at)
    reset = auth_context_var.set(AuthenticatedUser(access))
    try:
        yield
    finally:
        auth_context_var.reset(reset)


def session_of(backend: TokenBackend, *, size: int = 8, max_age: float = 600, env: dict[str, str] | None = None):
    settings = Settings()
    host = PluginHost.from_plugins({backend.name: backend}, settings=settings)
    return CallerSession(settings, host, BackendCache(size, max_age), env or {})


def test_each_caller_gets_a_backend_opened_with_its_own_token():
    session = session_of(TokenBackend())
    with calling_as("token-a"):
        a, again = session.open_sync(), session.open_sync()
    with calling_as("token-b"):
        b = session.open_sync()

    assert a.ops == {"acting_as": "user-of-token-a"} and again is a
    assert b.ops == {"acting_as": "user-of-token-b"}
    assert len(session.cache) == 2


async def test_async_open_and_auth_context_answer_for_the_current_caller():
    session = session_of(TokenBackend())
    with calling_as("token-z"):
        opened = await session.open()
        context = session.context

    assert opened.ops == {"acting_as": "user-of-token-z"}
    assert context.bearer_token == "token-z" and "token-z" not in repr(context)


def test_detection_never_sees_a_quilt_token_from_the_server_environment():
    backend = TokenBackend()
    env = {"QUILT_API_KEY": "qk_server", "QUILT_MCP_JWT_SECRET": "x" * 40, "AWS_SESSION_TOKEN": "aws", "HOME": "/h"}
    session = session_of(backend, env=env)
    with calling_as("token-a"):
        session.open_sync()

    assert set(backend.seen[0].env) == {"AWS_SESSION_TOKEN", "HOME"}


def test_outside_a_verified_request_there_is_no_caller():
    with pytest.raises(AuthRequiredError, match="no verified bearer token"):
        session_of(TokenBackend()).open_sync()


def test_a_callers_backend_is_not_kept_past_its_token_expiry():
    backend = TokenBackend()
    session = session_of(backend)
    with calling_as("token-a", expires_at=int(time.time()) - 1):
        session.open_sync()
        session.open_sync()

    assert len(backend.seen) == 2, "an expired caller's backend was reused"


def test_the_cache_keeps_the_most_recent_callers_up_to_its_size():
    session = session_of(TokenBackend(), size=2)
    for token in ("a", "b", "a", "c"):
        with calling_as(token):
            session.open_sync()

    with calling_as("a"):
        assert session.opened is not None
    with calling_as("b"):
        assert session.opened is None, "the least recently used caller was not dropped"
    assert len(session.cache) == 2


async def test_concurrent_first_requests_of_one_caller_open_its_backend_once():
    backend = TokenBackend()
    session = session_of(backend)
    with calling_as("token-a"):
        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(session.open)

    assert len(backend.seen) == 1


def test_a_process_wide_backend_is_refused_for_many_users_naming_those_that_can():
    with pytest.raises(NotSupportedError, match="quilt3 backend holds one identity per process") as caught:
        multi_user_host(Settings(backend="quilt3"))

    assert "Backends that can: iam" in caught.value.hint


def test_without_a_forced_backend_process_wide_ones_are_left_out():
    settings, host = multi_user_host(Settings())

    assert "quilt3" in settings.disabled_plugins
    assert "quilt3" not in host.names() and "iam" in host.names()
