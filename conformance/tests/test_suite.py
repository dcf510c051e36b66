"""Runs the whole shared suite once per installed harness: ``uv run pytest conformance/tests -n auto``."""

from quilt_mcp_conformance import suite


class TestCapabilities(suite.CapabilitiesSuite):
    pass


class TestPipeline(suite.PipelineSuite):
    pass


class TestListPackages(suite.ListPackagesSuite):
    pass


class TestRevisions(suite.RevisionsSuite):
    pass


class TestPackageInfo(suite.PackageInfoSuite):
    pass


class TestBrowse(suite.BrowseSuite):
    pass


class TestEntry(suite.EntrySuite):
    pass


class TestEntryUrl(suite.EntryUrlSuite):
    pass


class TestDiff(suite.DiffSuite):
    pass


class TestSearch(suite.SearchSuite):
    pass


class TestCursor(suite.CursorSuite):
    pass


class TestSearchCursor(suite.SearchCursorSuite):
    pass


class TestObjectCursor(suite.ObjectCursorSuite):
    pass


class TestCreateRevision(suite.CreateRevisionSuite):
    pass


class TestUpdateRevision(suite.UpdateRevisionSuite):
    pass


class TestConflict(suite.ConflictSuite):
    pass


class TestValidation(suite.ValidationSuite):
    pass


class TestDelete(suite.DeleteSuite):
    pass


class TestRegistryLayout(suite.RegistryLayoutSuite):
    pass


class TestBuckets(suite.BucketsSuite):
    pass


class TestConsistency(suite.ConsistencySuite):
    pass
