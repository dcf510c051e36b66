"""The quilt3 backend plugin (entry point ``quilt_mcp.backends: quilt3``).

Serves users who ran ``quilt3 login``: every operation goes through the quilt3
library and the AWS credentials its session holds. quilt3 is imported only
when a login session may exist (detection) or the backend is opened, never
when this module is imported.
"""

from __future__ import annotations

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.models import BackendInfo
from quilt_mcp.ops import QuiltOps

from quilt_mcp_quilt3 import detection
from quilt_mcp_quilt3.info import INFO


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    return INFO


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
