"""A moto S3 server on loopback in an isolated environment, for the bench scripts."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def moto_s3() -> Iterator[tuple[str, Path]]:
    """``(endpoint, scratch root)``: HOME/XDG/AWS isolated under the root (before anything imports quilt3),
    ``AWS_ENDPOINT_URL`` pointing at a fresh moto server; both are gone on exit."""
    from quilt_mcp_conformance.infra import MotoS3Server, isolate_environment, make_root

    root = make_root()
    isolate_environment(root)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = MotoS3Server()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    try:
        yield server.endpoint, root
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
