"""The iam backend's one description of itself (``BackendInfo``).

The plugin's ``quilt_mcp_backend_info`` returns it, ``IamOps`` and the
conformance harnesses take their capabilities from it. Imports nothing heavy.
"""

from __future__ import annotations

from quilt_mcp import capabilities as cap
from quilt_mcp.hookspecs import installed_version
from quilt_mcp.models import BackendInfo

from quilt_mcp_iam.detect import BACKEND, PRIORITY

INFO = BackendInfo(
    name=BACKEND,
    version=installed_version("quilt-packages-mcp-iam"),
    priority=PRIORITY,
    capabilities=cap.ALL,
    summary="Reads and writes Quilt registries directly in S3 with plain AWS credentials, "
    "or in a local directory with none; never imports quilt3.",
    # Each open builds its own clients; over HTTP every caller acts with the server's AWS credentials.
    multi_identity=True,
    setup_hint="Configure AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for the iam "
    "backend, or set QUILT_MCP_REGISTRIES to a local directory.",
)
