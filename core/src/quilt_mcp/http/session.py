"""One backend per caller: the HTTP variant of ``BackendSession`` and its bounded cache.

``CallerSession`` answers every ``BackendSession`` question for the caller of
the request being handled (``tokens.current_caller``): detection sees that
caller's token as ``AuthContext.bearer_token``, and the backend opened for
it is kept in a ``BackendCache`` under the token's hash - at most ``size``
callers, none past its token's expiry or ``max_age``.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

import anyio

from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import AuthRequiredError
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server.backend import BackendSession, Opened
from quilt_mcp.settings import Settings
from quilt_mcp.http.tokens import Caller, current_caller

TOKEN_VARIABLE = re.compile(r"^QUILT\w*(TOKEN|API_KEY|SECRET)\w*$")
"""Environment variables that could hand every caller one person's credential (e.g. ``QUILT_API_KEY``)."""


def without_fallback_tokens(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` minus Quilt token variables: in HTTP mode a caller's identity is its own token, never the server's."""
    return {k: v for k, v in env.items() if not TOKEN_VARIABLE.match(k)}


class BackendCache:
    """Open backends by caller key: least recently used dropped past ``size``; each dropped at its deadline.

    A caller's deadline is its token's expiry or ``max_age`` seconds after
    opening, whichever comes first. Thread-safe; two requests of one new
    caller open its backend once.
    """

    def __init__(self, size: int, max_age: float) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[str, tuple[float, Opened]] = OrderedDict()
        self._opening: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, caller: Caller) -> Opened | None:
        """The caller's open backend, if kept and not past its deadline."""
        with self._lock:
            entry = self._entries.get(caller.key)
            if entry is None:
                return None
            if entry[0] <= time.time():
                del self._entries[caller.key]
                return None
            self._entries.move_to_end(caller.key)
            return entry[1]

    def get_or_open(self, caller: Caller, open_backend: Callable[[], Opened]) -> Opened:
        """The kept backend, or ``open_backend()`` kept for the caller (blocking; errors are not kept)."""
        with self._lock:
            opening = self._opening.setdefault(caller.key, threading.Lock())
        try:
            with opening:
                opened = self.get(caller)
                if opened is None:
                    opened = open_backend()
                    self._put(caller, opened)
                return opened
        finally:
            with self._lock:
                self._opening.pop(caller.key, None)

    def _put(self, caller: Caller, opened: Opened) -> None:
        deadline = time.time() + self.max_age
        if caller.expires_at is not None:
            deadline = min(deadline, caller.expires_at)
        with self._lock:
            self._entries[caller.key] = (deadline, opened)
            self._entries.move_to_end(caller.key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class CallerSession(BackendSession):
    """A ``BackendSession`` whose context and backend are the current request's caller's."""

    def __init__(
        self, settings: Settings, host: PluginHost, cache: BackendCache, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(settings, host)
        self.cache = cache
        self._env = without_fallback_tokens(os.environ if env is None else env)

    @staticmethod
    def caller() -> Caller:
        """The current request's verified caller; ``AuthRequiredError`` outside one."""
        caller = current_caller()
        if caller is None:
            raise AuthRequiredError(
                "This request carries no verified bearer token.",
                "Send 'Authorization: Bearer <token>' with every request to this server.",
            )
        return caller

    def context_for(self, caller: Caller) -> AuthContext:
        """What detection sees for ``caller``: the server's environment (without tokens) and the caller's token."""
        return AuthContext(env=self._env, settings=self.settings, bearer_token=caller.bearer_token)

    def context_for_server(self) -> AuthContext:
        """What detection sees with no caller (readiness): the server's environment, without tokens."""
        return AuthContext(env=self._env, settings=self.settings)

    @property
    def context(self) -> AuthContext:
        return self.context_for(self.caller())

    @property
    def caller_subject(self) -> str | None:
        caller = current_caller()
        return caller.subject if caller is not None else None

    @property
    def opened(self) -> Opened | None:
        caller = current_caller()
        return self.cache.get(caller) if caller is not None else None

    def open_sync(self) -> Opened:
        return self._open_for(self.caller())

    async def open(self) -> Opened:
        caller = self.caller()
        return self.cache.get(caller) or await anyio.to_thread.run_sync(self._open_for, caller)

    def _open_for(self, caller: Caller) -> Opened:
        return self.cache.get_or_open(caller, lambda: self.choose_and_open(self.context_for(caller)))
