"""What a backend plugin supplies so the shared suite can run against it.

A plugin registers a module in the ``quilt_mcp.conformance`` entry-point
group. That module implements ``quilt_mcp_conformance_harnesses`` (marked
with ``quilt_mcp_conformance.harness.hookimpl``) and returns one
``BackendHarness`` per way its backend should be tested (e.g. iam on S3 and
iam on a local directory). The module is imported only by the test run, so it
may import test-only libraries.

A harness takes its capabilities from its backend's ``BackendInfo`` and may
only narrow them (``without``). It may start services of its own once per
pytest-xdist worker (``provision``), and the suite may gate tests on any
predicate over the harness (``quilt_mcp_conformance.gates``), not only on
capabilities.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from quilt_mcp.models import BackendInfo
from quilt_mcp.ops import QuiltOps

PROJECT = "quilt_mcp_conformance"
ENTRY_POINT_GROUP = "quilt_mcp.conformance"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass
class Infrastructure:
    """The real test services of one pytest(-xdist) worker.

    ``s3_endpoint`` is a moto server on loopback; ``env`` holds the AWS
    variables pointing boto3 (and quilt3) at it, already applied to
    ``os.environ`` for the whole worker. ``tmp`` is a per-worker scratch dir.
    """

    s3_endpoint: str
    env: dict[str, str]
    tmp: Path
    _counter: list[int] = field(default_factory=lambda: [0])

    def unique(self, stem: str) -> str:
        """A name unique within this worker: ``{stem}-{n}``."""
        self._counter[0] += 1
        return f"{stem}-{self._counter[0]}"

    _client: list[Any] = field(default_factory=list)

    def s3_client(self):  # -> botocore S3 client
        """A boto3 S3 client for the moto server (one per worker, shared: boto3 clients are thread-safe)."""
        if not self._client:
            import boto3

            self._client.append(
                boto3.client("s3", endpoint_url=self.s3_endpoint, region_name=self.env["AWS_DEFAULT_REGION"])
            )
        return self._client[0]

    def new_bucket(self, *, versioned: bool = True) -> str:
        """Create a fresh, empty bucket (versioned by default, as Quilt registries are) and return its name."""
        name = self.unique("test-bucket").lower()
        client = self.s3_client()
        client.create_bucket(Bucket=name)
        if versioned:
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def new_dir(self, stem: str = "dir") -> Path:
        """Create a fresh, empty local directory and return it."""
        path = self.tmp / self.unique(stem)
        path.mkdir(parents=True)
        return path


class BackendHarness(ABC):
    """How the suite opens one backend against the test infrastructure.

    ``id`` names the parametrization (e.g. ``"iam-s3"``). ``info`` is the
    backend's own ``BackendInfo`` (what its plugin's ``quilt_mcp_backend_info``
    returns): ``backend`` is its name and ``capabilities`` are its
    capabilities minus ``without``, the ones this harness does not exercise
    (e.g. ``local_registry`` on a harness whose registries are all in S3).
    Every suite test needing a capability the harness lacks is skipped, never
    failed. ``registry_scheme`` is the URI scheme of what ``new_registry``
    returns (``"s3"`` or ``"file"``), for gates such as ``S3_REGISTRIES``.
    """

    id: str
    info: BackendInfo
    without: frozenset[str] = frozenset()
    registry_scheme: str = "s3"

    @property
    def backend(self) -> str:
        """The backend's plugin (entry-point) name, from ``info``."""
        return self.info.name

    @property
    def capabilities(self) -> frozenset[str]:
        """What this harness claims: the backend's declared capabilities minus ``without``."""
        return self.info.capabilities - self.without

    def provision(self, infra: Infrastructure) -> AbstractContextManager[object]:
        """Start this harness's own services for one test worker; leaving the context stops them.

        Entered once per pytest-xdist worker (session scope), before the
        first test of this harness, and left when the worker is done with the
        harness, whether its tests passed, failed or errored. Keep what the
        services need (URLs, processes) on ``self``: each worker has its own
        harness instance. If entering raises, every test of this harness in
        the worker errors with that exception and nothing is retried. The
        default starts nothing.
        """
        return contextlib.nullcontext()

    @abstractmethod
    def open(self, infra: Infrastructure) -> QuiltOps:
        """A ``QuiltOps`` for this backend, authenticated against ``infra``.

        Called once per test; may return a cached instance if it holds no
        per-test state.
        """

    @abstractmethod
    def new_registry(self, infra: Infrastructure) -> str:
        """A fresh, empty registry URI this backend can read and write."""

    def new_source_bucket(self, infra: Infrastructure) -> str:
        """A fresh S3 bucket for source objects that packages reference."""
        return infra.new_bucket()

    def admit(self, infra: Infrastructure, bucket: str) -> None:
        """Let this backend reach ``bucket`` (a bucket another harness made), as its user would be granted it.

        The cross-backend tests call it for a registry or source bucket that
        another backend wrote. The default does nothing (plain S3 access reaches every bucket).
        """

    def open_configured(self, infra: Infrastructure, registries: Sequence[str]) -> QuiltOps:
        """Like ``open``, with ``registries`` configured as ``QUILT_MCP_REGISTRIES`` would configure them.

        Optional: override it if your backend takes configured registries.
        The default raises ``NotImplementedError``, and the tests that need it
        are skipped for this harness, saying so.
        """
        raise NotImplementedError(f"harness {self.id} does not implement open_configured")


@hookspec
def quilt_mcp_conformance_harnesses() -> Sequence[BackendHarness]:
    """Return the harnesses of this plugin's backend (possibly several variants)."""
