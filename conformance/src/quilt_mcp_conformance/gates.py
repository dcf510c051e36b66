"""Gating suite tests on the harness itself, not only on capabilities.

``@pytest.mark.requires_harness(predicate, reason=None)`` skips the test for
every harness for which ``predicate(harness)`` is false. ``predicate`` is a
``Gate`` (a named predicate, such as ``S3_REGISTRIES``) or any callable
taking the ``BackendHarness``; ``reason`` names a plain callable in the skip
message. Several marks (on the test, its class, its module) must all hold.
Predicates run at collection, once per test and harness: keep them cheap and
free of side effects. One that raises is a usage error naming the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from quilt_mcp_conformance.harness import BackendHarness

MARKER = "requires_harness"


@dataclass(frozen=True)
class Gate:
    """A named predicate over a harness; ``description`` says what a harness must be, e.g. "S3 registries only"."""

    description: str
    predicate: Callable[[BackendHarness], bool]

    def __call__(self, harness: BackendHarness) -> bool:
        return bool(self.predicate(harness))


S3_REGISTRIES = Gate("S3 registries only", lambda harness: harness.registry_scheme == "s3")
"""The harness's ``new_registry`` gives ``s3://`` registries."""

LOCAL_REGISTRIES = Gate("local registries only", lambda harness: harness.registry_scheme == "file")
"""The harness's ``new_registry`` gives ``file://`` registries."""


def _gate_of(mark: pytest.Mark, nodeid: str) -> Gate:
    if len(mark.args) != 1 or not callable(mark.args[0]):
        raise pytest.UsageError(f"{nodeid}: @pytest.mark.{MARKER} takes one predicate (a Gate or a callable).")
    predicate = mark.args[0]
    if isinstance(predicate, Gate):
        return predicate
    return Gate(mark.kwargs.get("reason") or getattr(predicate, "__name__", repr(predicate)), predicate)


def unmet_gate(item: pytest.Item, harness: BackendHarness) -> str | None:
    """The skip reason if a ``requires_harness`` predicate on ``item`` rejects ``harness``, else None."""
    for mark in item.iter_markers(MARKER):
        gate = _gate_of(mark, item.nodeid)
        try:
            passed = gate(harness)
        except Exception as exc:  # noqa: BLE001 - reported as a usage error naming the test
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{MARKER}({gate.description}) raised for harness {harness.id}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not passed:
            return f"harness {harness.id} does not meet: {gate.description}"
    return None
