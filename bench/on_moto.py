"""A moto S3 server on loopback in an isolated environment, for the bench scripts.

The server runs in a process of its own (``python on_moto.py``): in the
orchestrating process it would share that process's interpreter lock with the
bench's own MCP client, so every S3 request of the server under test would wait
while the client parsed a page, a delay no baseline (each in its own process,
the orchestrator idle meanwhile) would pay.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def moto_s3() -> Iterator[tuple[str, Path]]:
    """``(endpoint, scratch root)``: HOME/XDG/AWS isolated under the root (before anything imports quilt3),
    ``AWS_ENDPOINT_URL`` pointing at a fresh moto server in its own process; both are gone on exit."""
    from quilt_mcp_conformance.infra import isolate_environment, make_root

    root = make_root()
    isolate_environment(root)
    server = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        if not endpoint.startswith("http://"):
            raise RuntimeError(f"the moto server did not start (status {server.wait()})")
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        yield endpoint, root
    finally:
        if server.stdin is not None:
            server.stdin.close()  # the server's signal to stop
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)


def serve() -> None:
    """Start the server, print its endpoint, and stop it when standard input closes."""
    import logging

    from quilt_mcp_conformance.infra import MotoS3Server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = MotoS3Server()
    print(server.endpoint, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    serve()
