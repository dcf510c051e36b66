"""The bucket list every backend returns: listed buckets, then configured registries not among them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from quilt_mcp.models import BucketInfo
from quilt_mcp.uris import parse_registry


def merge_buckets(listed: Iterable[str], configured: Sequence[str]) -> list[BucketInfo]:
    """``s3://`` URIs of ``listed`` bucket names (source ``s3``), then each ``configured`` registry
    (``QUILT_MCP_REGISTRIES``, canonicalised) not already there (source ``configured``)."""
    found = [BucketInfo(uri=f"s3://{name}", source="s3") for name in listed]
    seen = {info.uri for info in found}
    for registry in configured:
        uri = parse_registry(registry).uri
        if uri not in seen:
            seen.add(uri)
            found.append(BucketInfo(uri=uri, source="configured"))
    return found
