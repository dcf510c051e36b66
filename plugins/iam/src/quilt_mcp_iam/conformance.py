"""The iam backend's conformance harnesses: a fresh moto bucket, and a fresh local directory.

Imported only by the test run (entry point ``quilt_mcp.conformance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quilt_mcp import capabilities as cap
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure, hookimpl
from quilt_mcp_iam.detect import AwsSpec
from quilt_mcp_iam.info import INFO
from quilt_mcp_iam.ops import IamOps


class _IamHarness(BackendHarness):
    info = INFO

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}

    def open(self, infra: Infrastructure) -> QuiltOps:
        """A fresh ``IamOps`` (empty manifest cache) sharing one S3 client per moto server."""
        return self.open_configured(infra, ())

    def open_configured(self, infra: Infrastructure, registries: Sequence[str]) -> QuiltOps:
        client = self._clients.get(infra.s3_endpoint)
        if client is None:
            client = self._clients[infra.s3_endpoint] = AwsSpec.from_env(infra.env).s3_client_factory()()
        return IamOps(lambda: client, registries=registries)


class IamS3Harness(_IamHarness):
    """iam on a registry in a fresh (versioned) moto bucket; local registries are ``iam-local``'s to test."""

    id = "iam-s3"
    without = frozenset({cap.LOCAL_REGISTRY})

    def new_registry(self, infra: Infrastructure) -> str:
        return f"s3://{infra.new_bucket()}"


class IamLocalHarness(_IamHarness):
    """iam on a registry in a fresh local directory (sources still come from moto S3)."""

    id = "iam-local"
    registry_scheme = "file"

    def new_registry(self, infra: Infrastructure) -> str:
        return infra.new_dir("registry").as_uri()


@hookimpl
def quilt_mcp_conformance_harnesses() -> Sequence[BackendHarness]:
    return [IamS3Harness(), IamLocalHarness()]
