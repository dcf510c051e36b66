"""quilt-mcp: an MCP server for Quilt data packages, with pluggable backends."""

from quilt_mcp.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]
