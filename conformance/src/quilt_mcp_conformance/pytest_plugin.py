"""The pytest plugin (entry point ``pytest11``) that provides the test infrastructure.

Fixtures:

- ``infra`` (session, i.e. per xdist worker): a moto S3 server on loopback and
  an isolated home; stopped in a finalizer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_conformance.infra import MotoS3Server, isolate_environment, make_root

_ROOT = None


def pytest_configure(config: pytest.Config) -> None:
    """Isolate HOME/XDG/AWS before any test module (and so quilt3) is imported."""
    global _ROOT
    _ROOT = make_root()
    isolate_environment(_ROOT)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    """This worker's moto S3 server and scratch space."""
    assert _ROOT is not None
    server = MotoS3Server()
    env = isolate_environment(_ROOT)
    env["AWS_ENDPOINT_URL"] = server.endpoint
    import os

    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    scratch = _ROOT / "scratch"
    scratch.mkdir(exist_ok=True)
    try:
        yield Infrastructure(s3_endpoint=server.endpoint, env=env, tmp=scratch)
    finally:
        server.stop()
