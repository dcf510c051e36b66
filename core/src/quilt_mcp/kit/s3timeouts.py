"""Bounded S3 timeouts: a hung or dead endpoint ends every call with a clear error in seconds.

botocore's defaults (60 s read timeout, retried) keep a call on a hung endpoint
busy for minutes, longer than MCP clients wait. Every S3 client the backends
make gets these connect and read timeouts and a small retry count.
"""

from __future__ import annotations

from typing import Any

from quilt_mcp.settings import Settings

MAX_ATTEMPTS = 2
"""Total attempts per S3 request (the first and one retry)."""


def s3_client_options(settings: Settings) -> dict[str, Any]:
    """``botocore.config.Config`` keyword arguments bounding every request's time."""
    return {
        "connect_timeout": settings.s3_connect_timeout,
        "read_timeout": settings.s3_read_timeout,
        "retries": {"mode": "standard", "max_attempts": MAX_ATTEMPTS},
    }


def worst_case_seconds(settings: Settings) -> float:
    """The longest one S3 request can take before it fails (every attempt connecting and reading)."""
    return MAX_ATTEMPTS * (settings.s3_connect_timeout + settings.s3_read_timeout)
