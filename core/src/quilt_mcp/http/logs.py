"""Logging of an HTTP server process: stderr at the configured level, every record scrubbed.

Each uvicorn worker builds its app from the environment without passing
through ``quilt_mcp.cli.main``, so it installs ``quilt_mcp.redaction`` itself:
no token, ``qk_`` key or AWS secret reaches a log line, whichever library
(uvicorn, httpx, mcp) writes it.
"""

from __future__ import annotations

import logging

from quilt_mcp import redaction


def configure_logging(level: str) -> None:
    """stderr logging at ``level`` (if none is set up yet), with ``redaction`` installed for this process."""
    redaction.install()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    root.setLevel(level)
