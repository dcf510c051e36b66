"""The quilt3 backend's conformance harness (entry point ``quilt_mcp.conformance: quilt3``).

``quilt3-s3`` logs quilt3 in (a real login home whose AWS credentials reach
the worker's moto server), then detects and opens the backend through the
plugin's own hooks, as the server does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from quilt_mcp.auth import AuthContext
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure, hookimpl

from quilt_mcp_quilt3 import plugin, testing
from quilt_mcp_quilt3.info import INFO


class Quilt3S3Harness(BackendHarness):
    """The quilt3 backend on moto S3 registries, logged in through quilt3's own files.

    After opening, ``auth.json`` is removed again so that no other test in the
    worker sees a quilt3 login and picks this backend; the opened backend keeps
    working on the AWS credentials the login left in ``credentials.json``.
    The login files are rewritten for every test (a test may have logged
    quilt3 out); detection and opening happen once per worker, since the
    backend holds no per-test state.
    """

    id = "quilt3-s3"
    info = INFO

    def __init__(self) -> None:
        self._opened: dict[str, QuiltOps] = {}

    def open(self, infra: Infrastructure) -> QuiltOps:
        if infra.s3_endpoint not in self._opened:
            self._opened[infra.s3_endpoint] = self.open_configured(infra, ())
        else:
            testing.log_in(region=infra.env["AWS_DEFAULT_REGION"])
            testing.forget_catalog_session()
        return self._opened[infra.s3_endpoint]

    def open_configured(self, infra: Infrastructure, registries: Sequence[str]) -> QuiltOps:
        testing.log_in(region=infra.env["AWS_DEFAULT_REGION"])
        try:
            context = AuthContext.from_environment(env={**os.environ, "QUILT_MCP_REGISTRIES": ",".join(registries)})
            candidate = plugin.quilt_mcp_detect(context)
            if not candidate.usable:
                raise AssertionError(f"quilt3 detection failed in the harness: {candidate.reason}")
            ops = plugin.quilt_mcp_open(candidate, context)
        finally:
            testing.forget_catalog_session()
        assert ops is not None
        return ops

    def new_registry(self, infra: Infrastructure) -> str:
        return f"s3://{infra.new_bucket()}"


@hookimpl
def quilt_mcp_conformance_harnesses() -> Sequence[BackendHarness]:
    return [Quilt3S3Harness()]
