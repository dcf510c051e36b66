"""Building the quilt-mcp MCP server and serving it on stdio."""

from __future__ import annotations

from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider

from quilt_mcp import __version__
from quilt_mcp.auth import AuthContext
from quilt_mcp.ops import QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server.backend import BackendSession
from quilt_mcp.server.errors import ArgumentErrors
from quilt_mcp.server.plugin_tools import register_plugin_tools
from quilt_mcp.server.prompts import register_prompts
from quilt_mcp.server.resources import register_resources
from quilt_mcp.server.tools import register_tools
from quilt_mcp.settings import Settings

INSTRUCTIONS = """\
Quilt packages are named ('namespace/name'), versioned datasets whose manifests live in a registry:
an S3 bucket or a local directory. Every revision has a 64-hex top hash; 'latest' names the newest.
Find packages with package_list or package_search, look inside with package_info, package_browse and
entry_read, compare revisions with package_diff. Listings are paged: pass next_cursor back. Reads are
cut at max_bytes: a 'truncated' result says how to read on. To write, pass the current top hash as
base_hash (package_create) or base_ref (package_update) so concurrent changes are never overwritten.
If a tool reports an authentication problem, call auth_status."""


def build_server(
    settings: Settings | None = None,
    *,
    host: PluginHost | None = None,
    ops: QuiltOps | None = None,
    context: AuthContext | None = None,
    session: BackendSession | None = None,
    auth: AuthProvider | None = None,
) -> FastMCP:
    """The MCP server for ``settings`` (default: from the environment).

    Plugins are discovered now (``host`` overrides that); the backend is
    chosen and opened on the first tool call that needs it, unless ``ops``
    is given. ``context`` overrides the auth context detection sees;
    ``session`` replaces the whole backend session (HTTP mode: one backend
    per caller) and ``auth`` verifies HTTP requests' bearer tokens.
    """
    settings = settings or Settings.from_env()
    host = host or PluginHost.discover(settings)
    session = session or BackendSession(settings, host, ops=ops, context=context)
    mcp = FastMCP(
        "quilt-mcp",
        auth=auth,
        instructions=INSTRUCTIONS,
        version=__version__,
        mask_error_details=True,
        on_duplicate="error",
        middleware=[ArgumentErrors()],
    )
    specs = register_tools(mcp, session)
    register_plugin_tools(mcp, session, taken=[spec.name for spec in specs])
    register_resources(mcp, session)
    register_prompts(mcp, settings)
    return mcp


def serve(settings: Settings) -> None:
    """Serve on stdio until the client disconnects. Logs go to stderr only; every request with an id is answered."""
    import anyio

    from quilt_mcp.server.collector import settle
    from quilt_mcp.server.stdio import run_stdio

    server = build_server(settings)
    settle()
    anyio.run(run_stdio, server, settings.log_level)
