"""What a backend says about itself: its name and capabilities, and how it refuses what it cannot do."""

from __future__ import annotations

from typing import Any

import pytest

from quilt_mcp import capabilities as cap
from quilt_mcp.errors import NotSupportedError
from quilt_mcp.models import EntrySource
from quilt_mcp.ops import OPERATIONS, QuiltOps, unimplemented
from quilt_mcp_conformance.harness import BackendHarness
from quilt_mcp_conformance.suite.support import refused


def minimal_arguments(operation: str, registry: str) -> tuple[Any, ...]:
    """Well-formed positional arguments for ``operation`` (names a package that need not exist)."""
    package = (registry, "conformance/probe")
    entry = (*package, "file.txt")
    return {
        "list_packages": (registry,),
        "list_revisions": package,
        "resolve_revision": package,
        "package_info": package,
        "browse": package,
        "entry_info": entry,
        "read_entry": entry,
        "entry_url": entry,
        "diff": (*package, "latest"),
        "search_packages": (registry, "probe"),
        "create_revision": (*package, [EntrySource(logical_key="file.txt", text="probe")]),
        "update_revision": package,
        "delete_revision": (*package, "latest"),
        "delete_package": package,
        "list_buckets": (),
        "list_objects": ("s3://conformance-probe/",),
        "object_info": ("s3://conformance-probe/file.txt",),
        "read_object": ("s3://conformance-probe/file.txt",),
    }[operation]


class CapabilitiesSuite:
    """The opened backend matches its harness and refuses operations it lacks with ``NotSupportedError``."""

    def test_backend_name_matches_the_harness(self, ops: QuiltOps, harness: BackendHarness) -> None:
        assert ops.backend_name == harness.backend

    def test_backend_declares_exactly_the_capabilities_of_its_backend_info(
        self, ops: QuiltOps, harness: BackendHarness
    ) -> None:
        """One declaration: the opened backend's capabilities are its ``BackendInfo``'s; the harness only narrows them."""
        assert set(ops.capabilities) <= cap.ALL, f"unknown capabilities {set(ops.capabilities) - cap.ALL}"
        assert ops.capabilities == harness.info.capabilities, (
            f"{ops.backend_name} declares {sorted(ops.capabilities)} but its BackendInfo "
            f"{sorted(harness.info.capabilities)}"
        )
        assert harness.capabilities <= ops.capabilities

    def test_every_declared_capability_is_implemented(self, ops: QuiltOps) -> None:
        assert unimplemented(type(ops), ops.capabilities) == [], "declared, but the _-methods are missing"

    def test_operations_without_their_capability_are_not_supported(self, ops: QuiltOps, registry: str) -> None:
        """Each refused operation names the missing capability, so the server can tell the client."""
        missing = {op: need for op, need in OPERATIONS.items() if need not in ops.capabilities}
        if not missing:
            pytest.skip(f"{ops.backend_name} declares every capability an operation needs")
        for operation, capability in missing.items():
            with refused(NotSupportedError) as caught:
                getattr(ops, operation)(*minimal_arguments(operation, registry))
            assert caught.value.capability == capability, operation
