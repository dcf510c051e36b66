"""The platform backend's hooks: a Quilt catalog's GraphQL API with a catalog token; never imports quilt3.

Importing this module imports nothing heavy: httpx and sgqlc load with
detection, boto3 only when a session is made.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from quilt_mcp.hookspecs import hookimpl
from quilt_mcp.models import BackendInfo

from quilt_mcp_platform import BACKEND, DISTRIBUTION, PRIORITY

if TYPE_CHECKING:
    from quilt_mcp.auth import AuthContext, Candidate
    from quilt_mcp.ops import QuiltOps

OPERATIONS_READY = False
"""False until the backend's ``QuiltOps`` exist: detection then reports the confirmed
identity but not usable, so selection never picks a backend that cannot open."""


def _version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    return BackendInfo(
        name=BACKEND,
        version=_version(),
        priority=PRIORITY,
        capabilities=frozenset(),
        summary="Works through a Quilt catalog's GraphQL API with a catalog token (QUILT_API_KEY); "
        "never imports quilt3.",
        multi_identity=True,  # one client per catalog token: serves many users over HTTP
    )


@hookimpl
def quilt_mcp_detect(context: AuthContext) -> Candidate:
    from dataclasses import replace

    from quilt_mcp_platform.detect import detect

    candidate = detect(context)
    if candidate.usable and not OPERATIONS_READY:
        return replace(
            candidate,
            usable=False,
            reason=candidate.reason + "; this version of the platform backend cannot yet run operations",
        )
    return candidate


@hookimpl
def quilt_mcp_open(candidate: Candidate, context: AuthContext) -> QuiltOps | None:
    if candidate.backend != BACKEND:
        return None
    from quilt_mcp.errors import NotSupportedError

    raise NotSupportedError(
        "This version of the platform backend cannot yet run operations.",
        "Use the quilt3 or iam backend (QUILT_MCP_BACKEND=iam) until it can.",
    )
