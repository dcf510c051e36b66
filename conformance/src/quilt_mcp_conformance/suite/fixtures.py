"""Fixtures the suite classes share across classes (registered by the pytest plugin).

A fixture defined in a suite class is built once per subclass; these are
built once per harness (and per xdist worker) and must only be read.
"""

from __future__ import annotations

import pytest

from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.suite.reading import Sample, build_sample


@pytest.fixture(scope="session")
def sample(harness: BackendHarness, infra: Infrastructure) -> Sample:
    """A package of text, unicode, empty, nested and binary entries, pushed through the backend under test."""
    return build_sample(harness, infra)
