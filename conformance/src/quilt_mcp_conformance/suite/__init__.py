"""The shared conformance suite: base classes a test module subclasses as ``Test...``.

Classes are named ``...Suite`` so pytest never collects them on their own.
Each is gated with ``@pytest.mark.requires(...)`` on the capabilities it
needs, and uses the fixtures of ``quilt_mcp_conformance.pytest_plugin``
(``harness``, ``ops``, ``registry``, ``source_bucket``, ``s3``, ``infra``).
Test data is written through the backend's own ``create_revision`` and read
back through the same backend, so every test also proves that writes and
reads agree.
"""

from quilt_mcp_conformance.suite.capabilities import CapabilitiesSuite
from quilt_mcp_conformance.suite.consistency import ConsistencySuite
from quilt_mcp_conformance.suite.cursors import CursorSuite, ObjectCursorSuite, SearchCursorSuite
from quilt_mcp_conformance.suite.deleting import DeleteSuite
from quilt_mcp_conformance.suite.diffing import DiffSuite
from quilt_mcp_conformance.suite.layout import RegistryLayoutSuite
from quilt_mcp_conformance.suite.listing import ListPackagesSuite, RevisionsSuite
from quilt_mcp_conformance.suite.objects import BucketsSuite
from quilt_mcp_conformance.suite.pipeline import PipelineSuite
from quilt_mcp_conformance.suite.reading import BrowseSuite, EntrySuite, EntryUrlSuite, PackageInfoSuite
from quilt_mcp_conformance.suite.searching import SearchSuite
from quilt_mcp_conformance.suite.writing import (
    ConflictSuite,
    CreateRevisionSuite,
    UpdateRevisionSuite,
    ValidationSuite,
)

ALL_SUITES = (
    CapabilitiesSuite,
    PipelineSuite,
    ListPackagesSuite,
    RevisionsSuite,
    PackageInfoSuite,
    BrowseSuite,
    EntrySuite,
    EntryUrlSuite,
    DiffSuite,
    SearchSuite,
    CursorSuite,
    SearchCursorSuite,
    ObjectCursorSuite,
    CreateRevisionSuite,
    UpdateRevisionSuite,
    ConflictSuite,
    ValidationSuite,
    DeleteSuite,
    RegistryLayoutSuite,
    ConsistencySuite,
    BucketsSuite,
)
"""Every suite class, in the order a reader meets the operations."""

__all__ = [suite.__name__ for suite in ALL_SUITES] + ["ALL_SUITES"]
