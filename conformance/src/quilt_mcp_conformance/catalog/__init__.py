"""A reference Quilt catalog for tests: GraphQL on the public schema, registry auth, real quilt3 underneath.

Start one with ``ReferenceCatalog.start(...)`` (a subprocess) or alone with
``python -m quilt_mcp_conformance.catalog --port N --schema current|previous``.
``schema_text(version)`` gives the carried schema SDL (descriptions dropped).
"""

from quilt_mcp_conformance.catalog.handle import ReferenceCatalog
from quilt_mcp_conformance.catalog.schemas import VERSIONS, schema_text

__all__ = ["VERSIONS", "ReferenceCatalog", "schema_text"]
