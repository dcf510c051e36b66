"""Starting each harness's own services once per test worker, and stopping them all at its end.

The pytest plugin keeps one ``Provisioner`` per session (per xdist worker).
``ensure(harness)`` enters ``harness.provision(infra)`` the first time that
harness is used and never again in the worker, even when the worker's tests
alternate between harnesses; leaving the ``Provisioner`` (the session's end,
whatever the tests' outcomes) leaves every entered context, latest first.
"""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType

from quilt_mcp_conformance.harness import BackendHarness, Infrastructure


class ProvisioningError(Exception):
    """A harness could not start its services; every test of it in this worker errors with this."""


class Provisioner:
    """The services every used harness started in this worker (a context manager)."""

    def __init__(self, infra: Infrastructure) -> None:
        self.infra = infra
        self._stack = ExitStack()
        self._entered: set[str] = set()
        self._failed: dict[str, ProvisioningError] = {}

    def ensure(self, harness: BackendHarness) -> None:
        """Enter ``harness.provision(infra)`` unless done; re-raise its first failure on every later call."""
        if harness.id in self._failed:
            raise self._failed[harness.id]
        if harness.id in self._entered:
            return
        try:
            self._stack.enter_context(harness.provision(self.infra))
        except Exception as exc:
            self._failed[harness.id] = ProvisioningError(
                f"harness {harness.id} could not start its services: {type(exc).__name__}: {exc}"
            )
            raise self._failed[harness.id] from exc
        self._entered.add(harness.id)

    def __enter__(self) -> Provisioner:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()
