"""The platform backend's hooks: a Quilt catalog's GraphQL API with a catalog token; never imports quilt3.

Importing this module imports nothing heavy: httpx2 and sgqlc load with
detection, boto3 only when a session is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quilt_mcp.hookspecs import hookimpl
from quilt_mcp.models import BackendInfo

from quilt_mcp_platform import BACKEND
from quilt_mcp_platform.info import INFO

if TYPE_CHECKING:
    from quilt_mcp.auth import AuthContext, Candidate
    from quilt_mcp.ops import QuiltOps


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    return INFO


@hookimpl
def quilt_mcp_detect(context: AuthContext) -> Candidate:
    from quilt_mcp_platform.detect import detect

    return detect(context)


@hookimpl
def quilt_mcp_open(candidate: Candidate, context: AuthContext) -> QuiltOps | None:
    if candidate.backend != BACKEND:
        return None
    from quilt_mcp.redaction import remember

    from quilt_mcp_platform.detect import CatalogSpec, find_spec
    from quilt_mcp_platform.ops import PlatformOps

    spec = candidate.credential if isinstance(candidate.credential, CatalogSpec) else find_spec(context)
    remember(spec.token)
    return PlatformOps(spec.client(), registries=context.settings.registries)
