"""The platform backend's conformance harnesses: the reference catalog, on each schema version.

Imported only by test runs (entry point ``quilt_mcp.conformance``). Each
harness starts one reference catalog per pytest-xdist worker
(``provision``) with one user whose role is granted every registry and
source bucket the suite makes (each a fresh moto bucket).
``platform-current`` signs in with a ``qk_`` API key, ``platform-previous``
with a registry token, so both token kinds are exercised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.catalog import ReferenceCatalog
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure, hookimpl

from quilt_mcp_platform.graphql.client import CatalogClient, Timeouts
from quilt_mcp_platform.info import INFO
from quilt_mcp_platform.ops import PlatformOps

TIMEOUTS = Timeouts(connect=10.0, read=120.0, mutation=300.0)
"""Generous: the reference catalog does its S3 work through quilt3, slow on a loaded 2-core CI runner."""
ROLE = "conformance"
USER = "tester"


class _PlatformHarness(BackendHarness):
    info = INFO
    schema = "current"

    def __init__(self) -> None:
        self.catalog: ReferenceCatalog | None = None
        self._token = ""
        self._ops: PlatformOps | None = None

    @contextlib.contextmanager
    def provision(self, infra: Infrastructure) -> Iterator[ReferenceCatalog]:
        self.catalog = ReferenceCatalog.start(
            infra.s3_endpoint, infra.env, schema=self.schema, roles={ROLE: []}, users={USER: ROLE}
        )
        try:
            self._token = self.token(self.catalog)
            yield self.catalog
        finally:
            if self._ops is not None:
                self._ops.client.close()
            self.catalog.stop()

    def token(self, catalog: ReferenceCatalog) -> str:
        return catalog.api_key_for(USER)

    def _granted(self, bucket: str) -> str:
        assert self.catalog is not None, "provision() runs before the first test"
        self.catalog.grant(ROLE, bucket)
        return bucket

    def open(self, infra: Infrastructure) -> QuiltOps:
        """One ``PlatformOps`` per worker: it caches only immutable revisions and the schema version."""
        if self._ops is None:
            self._ops = self.open_configured(infra, ())  # type: ignore[assignment]
        return self._ops  # type: ignore[return-value]

    def open_configured(self, infra: Infrastructure, registries: Sequence[str]) -> QuiltOps:
        assert self.catalog is not None
        client = CatalogClient(self.catalog.url, self._token, timeouts=TIMEOUTS)
        return PlatformOps(client, registries=registries)

    def new_registry(self, infra: Infrastructure) -> str:
        return f"s3://{self._granted(infra.new_bucket())}"

    def new_source_bucket(self, infra: Infrastructure) -> str:
        return self._granted(infra.new_bucket())


class PlatformCurrentHarness(_PlatformHarness):
    """The reference catalog on the current schema, signed in with a ``qk_`` API key."""

    id = "platform-current"


class PlatformPreviousHarness(_PlatformHarness):
    """The reference catalog on the previous (quilt3 8.0.0) schema, signed in with a registry token."""

    id = "platform-previous"
    schema = "previous"

    def token(self, catalog: ReferenceCatalog) -> str:
        return catalog.token_for(USER, ttl=24 * 3600)


@hookimpl
def quilt_mcp_conformance_harnesses() -> Sequence[BackendHarness]:
    return [PlatformCurrentHarness(), PlatformPreviousHarness()]
