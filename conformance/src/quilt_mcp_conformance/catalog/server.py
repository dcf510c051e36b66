"""Run the reference catalog in this process: bind, announce, serve.

The configuration is JSON: ``secret`` (token signing), ``admin_secret``
(control route), ``roles`` (role -> buckets), ``users`` (user -> role), and
optionally ``print_token`` (a user name whose fresh token is printed) and
``parent_pid`` (exit when that process is gone, so a killed test worker
leaves no catalog behind).
The first stdout line is ``catalog: <url>``; a ``ReferenceCatalog`` handle
waits for it. quilt3 is imported only here, after the caller has set the
environment (``AWS_ENDPOINT_URL``, an isolated ``HOME``).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from typing import Any

SCHEMES = ("current", "previous")
READY_PREFIX = "catalog: "


def serve(config: dict[str, Any], *, schema: str, port: int, s3_endpoint: str | None) -> None:
    """Serve until interrupted on 127.0.0.1:``port`` (0: a free port), printing the URL first."""
    import uvicorn

    from quilt_mcp_conformance.catalog.app import create_app
    from quilt_mcp_conformance.catalog.faults import Faults
    from quilt_mcp_conformance.catalog.registry import Registry
    from quilt_mcp_conformance.catalog.resolvers.context import CatalogState
    from quilt_mcp_conformance.catalog.users import Directory, mint_token

    directory = Directory.from_config(config["secret"], config.get("roles", {}), config.get("users", {}))
    state = CatalogState(version=schema, directory=directory, registry=Registry(), faults=Faults())
    app = create_app(state, config["admin_secret"])

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    host, bound = sock.getsockname()
    url = f"http://{host}:{bound}"
    print(f"{READY_PREFIX}{url}", flush=True)
    print(f"graphql: {url}/graphql (schema {schema})", flush=True)
    if s3_endpoint:
        print(f"s3: {s3_endpoint}", flush=True)
    demo = config.get("print_token")
    if demo:
        print(f"user {demo!r} (role {directory.users[demo].role!r}) token: {mint_token(directory.secret, demo)}", flush=True)
    if config.get("parent_pid"):
        threading.Thread(target=_exit_with_parent, args=(int(config["parent_pid"]),), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)
