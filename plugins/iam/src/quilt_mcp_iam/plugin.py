"""The iam backend's hooks: plain AWS credentials (or a local registry), no quilt3.

Importing this module imports nothing heavy: boto3 is loaded by ``detect``
and by ``open``, the operations module only by ``open``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from quilt_mcp import capabilities as cap
from quilt_mcp.hookspecs import hookimpl
from quilt_mcp.models import BackendInfo
from quilt_mcp_iam.detect import BACKEND, PRIORITY, AwsSpec

if TYPE_CHECKING:
    from quilt_mcp.auth import AuthContext, Candidate
    from quilt_mcp.ops import QuiltOps


def _version() -> str:
    try:
        return version("quilt-mcp-iam")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@hookimpl
def quilt_mcp_backend_info() -> BackendInfo:
    return BackendInfo(
        name=BACKEND,
        version=_version(),
        priority=PRIORITY,
        capabilities=cap.ALL,
        summary="Reads and writes Quilt registries directly in S3 with plain AWS credentials, "
        "or in a local directory with none; never imports quilt3.",
        # Each open builds its own clients; over HTTP every caller acts with the server's AWS credentials.
        multi_identity=True,
    )


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
        spec.s3_client_factory(),
        registries=context.settings.registries,
        aws=candidate.details.get("credentials") != "none",
    )
