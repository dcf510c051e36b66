"""Who the current HTTP request acts for: its verified token, known by a hash.

A raw token never leaves this module's ``Caller`` except as
``Caller.bearer_token`` (hidden from ``repr``), which only backend detection
reads. Caches, limits and logs use ``Caller.key``, a SHA-256 of the token.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from fastmcp.server.auth import AccessToken
from fastmcp.server.dependencies import get_access_token


def token_key(token: str) -> str:
    """The cache key of ``token``: its SHA-256, hex. Safe to keep; says nothing of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """The verified identity of one request.

    ``key``: ``token_key`` of the token. ``subject``: who the verifier says
    the caller is. ``expires_at``: the token's expiry (unix seconds) when
    known. ``scopes``: the scopes it grants.
    """

    key: str
    subject: str
    scopes: frozenset[str]
    expires_at: float | None
    bearer_token: str = field(repr=False, compare=False)

    @classmethod
    def from_access_token(cls, access: AccessToken) -> Caller:
        return cls(
            key=token_key(access.token),
            subject=access.subject or access.client_id,
            scopes=frozenset(access.scopes),
            expires_at=float(access.expires_at) if access.expires_at is not None else None,
            bearer_token=access.token,
        )

    def expired(self, now: float | None = None) -> bool:
        """True once the token's expiry has passed."""
        return self.expires_at is not None and (time.time() if now is None else now) >= self.expires_at


def current_caller() -> Caller | None:
    """The caller of the HTTP request being handled, or None outside an authenticated request."""
    access = get_access_token()
    return Caller.from_access_token(access) if access is not None else None
