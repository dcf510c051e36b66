"""Run-time settings, read from the environment (and overridden by CLI flags)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def env_flag(env: Mapping[str, str], name: str) -> bool:
    """True when ``env[name]`` is one of 1/true/yes/on (case-insensitive)."""
    return env.get(name, "").strip().lower() in TRUE_VALUES


def env_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated ``env[name]`` as a tuple of stripped, non-empty items."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def seconds(text: str) -> float:
    """A positive number of seconds (at most an hour); ``ValueError`` naming what is wrong otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise ValueError(f"{text!r} is not between 0 and 3600 seconds")
    return value


def env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """``env[name]`` as ``seconds``, ``default`` when unset; ``ValueError`` naming the variable if invalid."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return seconds(text)
    except ValueError as err:
        raise ValueError(f"{name}: {err}.") from None


@dataclass(frozen=True)
class Settings:
    """Everything that configures plugin loading, backend choice and the server.

    ==========================  ================================  =====================================
    field                       environment variable              meaning
    ==========================  ================================  =====================================
    backend                     ``QUILT_MCP_BACKEND``             force this backend by name
    disabled_plugins            ``QUILT_MCP_DISABLE_PLUGINS``     comma-separated plugins not to load
    strict_plugins              ``QUILT_MCP_STRICT_PLUGINS``      a plugin that fails to load is fatal
    registries                  ``QUILT_MCP_REGISTRIES``          comma-separated registries; first is default
    read_only                   ``QUILT_MCP_READ_ONLY``           hide every tool that writes
    log_level                   ``QUILT_MCP_LOG_LEVEL``           stderr log level (default WARNING)
    catalog_url                 ``QUILT_MCP_CATALOG_URL``         Quilt catalog for links, e.g. https://catalog.example.com
    transport                   ``QUILT_MCP_TRANSPORT``           ``serve`` speaks stdio (default) or http
    s3_connect_timeout          ``QUILT_MCP_S3_CONNECT_TIMEOUT``  seconds to connect to S3 (default 5)
    s3_read_timeout             ``QUILT_MCP_S3_READ_TIMEOUT``     seconds to wait for S3 to answer (default 20)
    local_source_roots          ``QUILT_MCP_LOCAL_SOURCE_ROOTS``  comma-separated directories local sources may
                                                                  come from (default: any on stdio, none on HTTP)
    ==========================  ================================  =====================================

    HTTP serving has settings of its own: ``quilt_mcp.http.settings``.
    """

    backend: str | None = None
    disabled_plugins: frozenset[str] = field(default_factory=frozenset)
    strict_plugins: bool = False
    registries: tuple[str, ...] = ()
    read_only: bool = False
    log_level: str = "WARNING"
    catalog_url: str | None = None
    transport: str = "stdio"
    s3_connect_timeout: float = 5.0
    s3_read_timeout: float = 20.0
    local_source_roots: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        return cls(
            backend=env.get("QUILT_MCP_BACKEND", "").strip() or None,
            disabled_plugins=frozenset(env_list(env, "QUILT_MCP_DISABLE_PLUGINS")),
            strict_plugins=env_flag(env, "QUILT_MCP_STRICT_PLUGINS"),
            registries=env_list(env, "QUILT_MCP_REGISTRIES"),
            read_only=env_flag(env, "QUILT_MCP_READ_ONLY"),
            log_level=env.get("QUILT_MCP_LOG_LEVEL", "WARNING").strip().upper() or "WARNING",
            catalog_url=env.get("QUILT_MCP_CATALOG_URL", "").strip() or None,
            transport=env.get("QUILT_MCP_TRANSPORT", "stdio").strip().lower() or "stdio",
            s3_connect_timeout=env_seconds(env, "QUILT_MCP_S3_CONNECT_TIMEOUT", 5.0),
            s3_read_timeout=env_seconds(env, "QUILT_MCP_S3_READ_TIMEOUT", 20.0),
            local_source_roots=env_list(env, "QUILT_MCP_LOCAL_SOURCE_ROOTS"),
        )

    def to_env(self) -> dict[str, str]:
        """These settings as the environment variables ``from_env`` reads (for child processes)."""
        return {
            "QUILT_MCP_BACKEND": self.backend or "",
            "QUILT_MCP_DISABLE_PLUGINS": ",".join(sorted(self.disabled_plugins)),
            "QUILT_MCP_STRICT_PLUGINS": "1" if self.strict_plugins else "",
            "QUILT_MCP_REGISTRIES": ",".join(self.registries),
            "QUILT_MCP_READ_ONLY": "1" if self.read_only else "",
            "QUILT_MCP_LOG_LEVEL": self.log_level,
            "QUILT_MCP_CATALOG_URL": self.catalog_url or "",
            "QUILT_MCP_TRANSPORT": self.transport,
            "QUILT_MCP_S3_CONNECT_TIMEOUT": str(self.s3_connect_timeout),
            "QUILT_MCP_S3_READ_TIMEOUT": str(self.s3_read_timeout),
            "QUILT_MCP_LOCAL_SOURCE_ROOTS": ",".join(self.local_source_roots),
        }

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def default_registry(self) -> str | None:
        """The first configured registry, if any."""
        return self.registries[0] if self.registries else None
