"""The quilt3 backend plugin (entry point ``quilt_mcp.backends: quilt3``).

Serves users who ran ``quilt3 login``: every operation goes through the quilt3
library and the AWS credentials its session holds. quilt3 is imported only
when a login session may exist (detection) or the backend is opened, never
when this module is imported.
"""

from __future__ import annotations

from quilt_mcp import capabilities as cap
from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.models import BackendInfo
from quilt_mcp.ops import QuiltOps

from quilt_mcp_quilt3 import detection

CAPABILITIES = frozenset({cap.READ, cap.WRITE, cap.DELETE, cap.SEARCH, cap.PRESIGN, cap.BUCKETS})
"""S3 registries only: quilt3 cannot push to a local registry, so no ``local_registry``."""


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    from importlib.metadata import PackageNotFoundError, version

    try:
        own_version = version("quilt-packages-mcp-quilt3")
    except PackageNotFoundError:
        own_version = "0+unknown"
    return BackendInfo(
        name=detection.BACKEND,
        version=own_version,
        priority=detection.PRIORITY,
        capabilities=CAPABILITIES,
        summary="Works through the quilt3 library with the session of `quilt3 login` (S3 registries).",
    )


@hookimpl
def quilt_mcp_detect(context: AuthContext) -> Candidate | None:
    return detection.detect(context)


@hookimpl
def quilt_mcp_open(candidate: Candidate, context: AuthContext) -> QuiltOps | None:
    if candidate.backend != detection.BACKEND:
        return None
    from quilt_mcp_quilt3.ops import Quilt3Ops

    session = candidate.credential if isinstance(candidate.credential, detection.Quilt3Session) else None
    if session is None:
        session = detection.open_session()
    else:
        detection.fresh_credentials(session.boto3_session)
    return Quilt3Ops(session, context.settings)
