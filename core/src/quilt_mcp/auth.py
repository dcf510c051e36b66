"""What detection sees (``AuthContext``) and what it answers (``Candidate``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quilt_mcp.settings import Settings


@dataclass(frozen=True)
class AuthContext:
    """The inputs a backend may use to find a credential.

    ``env`` is the process environment (or a test's); ``bearer_token`` is the
    HTTP request's token in HTTP mode and ``None`` on stdio. The token is
    never shown in ``repr`` and must never be logged.
    """

    env: Mapping[str, str]
    settings: Settings
    bearer_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None, settings: Settings | None = None) -> AuthContext:
        """A context for this process: ``os.environ`` and settings read from it."""
        env = dict(os.environ if env is None else env)
        return cls(env=env, settings=settings or Settings.from_env(env))


@dataclass(frozen=True)
class Candidate:
    """One backend's answer to detection.

    ``priority``: higher wins (defaults: quilt3 300, platform 200, iam 100).
    ``identity``: who the backend would act as (a user, an AWS principal).
    ``reason``: one line saying why it can (or, if not ``usable``, cannot) act.
    ``registry``: a default registry the credential implies, if any.
    ``credential``: opaque material ``quilt_mcp_open`` needs; never shown in ``repr``.
    """

    backend: str
    priority: int
    identity: str
    reason: str
    usable: bool = True
    registry: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    credential: Any = field(default=None, repr=False, compare=False)
