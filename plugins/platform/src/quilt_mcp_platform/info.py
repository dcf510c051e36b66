"""The platform backend's one description of itself (``BackendInfo``).

The plugin's ``quilt_mcp_backend_info`` returns it; ``PlatformOps`` and the
conformance harnesses take their capabilities from it. Imports nothing heavy.
"""

from __future__ import annotations

from quilt_mcp import capabilities as cap
from quilt_mcp.hookspecs import installed_version
from quilt_mcp.models import BackendInfo

from quilt_mcp_platform import BACKEND, DISTRIBUTION, PRIORITY

INFO = BackendInfo(
    name=BACKEND,
    version=installed_version(DISTRIBUTION),
    priority=PRIORITY,
    # Registries are the catalog's S3 buckets: no local directories.
    capabilities=cap.ALL - {cap.LOCAL_REGISTRY},
    summary="Works through a Quilt catalog's GraphQL API with a catalog token (QUILT_API_KEY); "
    "never imports quilt3.",
    # Each open holds its own token's client and STS session: over HTTP every user acts as themselves.
    multi_identity=True,
    setup_hint="Set QUILT_MCP_CATALOG_URL to your Quilt catalog and QUILT_API_KEY to an API key (qk_...) "
    "created there, for the platform backend.",
)
