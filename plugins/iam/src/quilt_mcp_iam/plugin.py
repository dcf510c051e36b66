"""The iam backend's hooks: plain AWS credentials (or a local registry), no quilt3.

Importing this module imports nothing heavy: boto3 is loaded by ``detect``
and by ``open``, the operations module only by ``open``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quilt_mcp.hookspecs import hookimpl
from quilt_mcp.models import BackendInfo
from quilt_mcp_iam.detect import BACKEND, AwsSpec
from quilt_mcp_iam.info import INFO

if TYPE_CHECKING:
    from quilt_mcp.auth import AuthContext, Candidate
    from quilt_mcp.ops import QuiltOps


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    return INFO


@hookimpl
def quilt_mcp_detect(context: AuthContext) -> Candidate:
    from quilt_mcp_iam.detect import detect

    return detect(context)


@hookimpl
def quilt_mcp_open(candidate: Candidate, context: AuthContext) -> QuiltOps | None:
    if candidate.backend != BACKEND:
        return None
    from quilt_mcp_iam.ops import IamOps

    spec = candidate.credential if isinstance(candidate.credential, AwsSpec) else AwsSpec.from_env(context.env)
    return IamOps(
        spec.s3_client_factory(context.settings),
        registries=context.settings.registries,
        aws=candidate.details.get("credentials") != "none",
    )
