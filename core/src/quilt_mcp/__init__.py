"""quilt-mcp: an MCP server for Quilt data packages, with pluggable backends.

The package has two rooms.

**The plugin contract** (``CONTRACT``): what a backend plugin may import.
``ops`` (``QuiltOps``, the call pipeline) and ``backend_methods`` (the
``_``-methods a backend implements); ``arguments``, ``names``, ``uris``,
``cursors``, ``local_sources`` and ``search`` (validation, parsing, pagination,
which local files a source may name, the search rule);
``models``, ``errors``, ``capabilities``; ``redaction`` (secrets a backend
loads are registered there so no log shows them); ``hookspecs``, ``auth``,
``settings`` and ``tools_api`` (hooks, detection, plugin tools); and the
backend kit ``kit`` (S3 objects and their bounded timeouts, the search scan,
error builders, the bucket list, the diff of two revisions' walks, revision
listings that agree with ``latest``, one shared copy of botocore's service
models, a fast timestamp parser for boto3 clients) with ``s3_errors``.

**The host and the server**: ``plugins`` (discovery and hook calls),
``selection``, ``doctor``, ``cli``, ``demo`` and ``server``. Backends never
import them; contract modules never import them either.
"""

from quilt_mcp.hookspecs import hookimpl

__version__ = "0.1.0"

CONTRACT: tuple[str, ...] = (
    "quilt_mcp",
    "quilt_mcp.arguments",
    "quilt_mcp.auth",
    "quilt_mcp.backend_methods",
    "quilt_mcp.capabilities",
    "quilt_mcp.cursors",
    "quilt_mcp.errors",
    "quilt_mcp.hookspecs",
    "quilt_mcp.kit",
    "quilt_mcp.kit.buckets",
    "quilt_mcp.kit.diffs",
    "quilt_mcp.kit.errors",
    "quilt_mcp.kit.reading",
    "quilt_mcp.kit.s3objects",
    "quilt_mcp.kit.revisions",
    "quilt_mcp.kit.s3timeouts",
    "quilt_mcp.kit.scan",
    "quilt_mcp.kit.service_models",
    "quilt_mcp.kit.timestamps",
    "quilt_mcp.local_sources",
    "quilt_mcp.models",
    "quilt_mcp.names",
    "quilt_mcp.ops",
    "quilt_mcp.redaction",
    "quilt_mcp.s3_errors",
    "quilt_mcp.search",
    "quilt_mcp.settings",
    "quilt_mcp.tools_api",
    "quilt_mcp.uris",
)
"""The modules a backend plugin may import."""

__all__ = ["CONTRACT", "__version__", "hookimpl"]
