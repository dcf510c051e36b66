"""Running the HTTP app with uvicorn: N worker processes, graceful stop on SIGTERM.

The configuration travels in the environment (``QUILT_MCP_*``): the
command line exports its flags there, the app is built once here to fail
fast on a bad configuration, then uvicorn starts ``workers`` processes that
each call ``app_from_env``. On SIGTERM uvicorn stops accepting connections,
lets requests in progress finish (up to ``shutdown_seconds``), then exits.
Every connection has Nagle's algorithm off (``nodelay``).
"""

from __future__ import annotations

import uvicorn

from quilt_mcp.http.app import create_app
from quilt_mcp.http.logs import configure_logging
from quilt_mcp.http.nodelay import HTTP_PROTOCOL
from quilt_mcp.http.settings import HttpSettings
from quilt_mcp.settings import Settings

FACTORY = "quilt_mcp.http.app:app_from_env"


def serve_http(settings: Settings, http: HttpSettings) -> None:
    """Serve until SIGTERM/SIGINT; ``QuiltMCPError`` before listening when the configuration cannot serve."""
    configure_logging(settings.log_level)
    create_app(settings, http)
    uvicorn.run(
        FACTORY,
        factory=True,
        host=http.host,
        port=http.port,
        workers=http.workers,
        log_config=None,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=http.shutdown_seconds,
        server_header=False,
        http=HTTP_PROTOCOL,
    )
