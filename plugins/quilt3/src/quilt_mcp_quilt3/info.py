"""The quilt3 backend's one description of itself (``BackendInfo``).

The plugin's ``quilt_mcp_backend_info`` returns it, ``Quilt3Ops`` and the
conformance harness take their capabilities from it. Imports nothing heavy
(never quilt3).
"""

from __future__ import annotations

from quilt_mcp import capabilities as cap
from quilt_mcp.hookspecs import installed_version
from quilt_mcp.models import BackendInfo

from quilt_mcp_quilt3.detection import BACKEND, PRIORITY

INFO = BackendInfo(
    name=BACKEND,
    version=installed_version("quilt-packages-mcp-quilt3"),
    priority=PRIORITY,
    # S3 registries only: quilt3 cannot push to a local registry, so no ``local_registry``.
    capabilities=frozenset({cap.READ, cap.WRITE, cap.DELETE, cap.SEARCH, cap.PRESIGN, cap.BUCKETS}),
    summary="Works through the quilt3 library with the session of `quilt3 login` (S3 registries).",
    setup_hint="Run 'quilt3 login' for the quilt3 backend.",
)
