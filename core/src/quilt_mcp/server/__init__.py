"""The MCP server: every ``QuiltOps`` operation as a tool, plus resources and prompts.

``build_server(settings)`` returns the fastmcp server; ``serve(settings)``
runs it on stdio. Modules: ``app`` (building and serving), ``tools`` and
``plugin_tools`` (tools), ``resources``, ``prompts``, ``backend`` (the lazily
chosen backend), ``errors``, ``output`` (cut-result markers), ``progress``,
``links`` (Quilt+ URIs, catalog URLs), ``args`` and ``results`` (schemas).
"""

from quilt_mcp.server.app import build_server, serve

__all__ = ["build_server", "serve"]
