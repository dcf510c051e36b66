"""Resource templates, addressed with Quilt+ URIs as the Quilt catalog addresses packages.

- ``quilt+s3://{bucket}#package={namespace}/{name}@{top_hash}``: a revision's
  manifest summary (JSON: its header, size and entry count, and the first
  page of its top-level listing).
- ``quilt+s3://{bucket}#package={namespace}/{name}@{top_hash}&path={path}``:
  the content of one entry, cut at ``RESOURCE_MAX_BYTES``; a cut is marked.

``top_hash`` may also be ``latest`` or a hash prefix of at least 6
characters, and ``@{top_hash}`` may be left out (``latest``). A URI may end
in ``&catalog=<host>``. A ``path`` ending in ``/`` is a directory: it reads
as JSON listing its first items. Every URI ``package_links`` hands out reads
back here: URIs are matched by parsing them (``parse_quilt_uri``), not by
fastmcp's template patterns, which cannot leave out ``@`` or tell
``&catalog=`` from the path.
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from fastmcp import FastMCP
from fastmcp.exceptions import ResourceError
from fastmcp.resources import ResourceContent, ResourceResult
from fastmcp.resources.template import FunctionResourceTemplate

from quilt_mcp.models import ReadResult
from quilt_mcp.server.backend import BackendSession
from quilt_mcp.server.errors import reports_errors
from quilt_mcp.server.links import parse_quilt_uri, quilt_uri

RESOURCE_MAX_BYTES = 1024 * 1024
"""Most bytes of an entry one resource read returns."""
SUMMARY_LISTING = 100
"""Top-level items listed in a manifest summary."""
ENTRY_TEMPLATE = "quilt+s3://{bucket}#package={namespace}/{name}@{top_hash}&path={path*}"
SUMMARY_TEMPLATE = "quilt+s3://{bucket}#package={namespace}/{name}@{top_hash}"


class QuiltUriTemplate(FunctionResourceTemplate):
    """A template matching the Quilt+ URIs its handler reads: entries (with a path) or revisions (without)."""

    @property
    def reads_entries(self) -> bool:
        """Whether the handler takes a ``path`` parameter: it reads entries, else whole revisions."""
        return "path" in self.parameters.get("properties", {})

    def matches(self, uri: str) -> dict[str, Any] | None:
        parsed = parse_quilt_uri(uri)
        if parsed is None or bool(parsed.path) != self.reads_entries:
            return None
        namespace, _, name = parsed.name.partition("/")
        params = {"bucket": parsed.bucket, "namespace": namespace, "name": name, "top_hash": parsed.ref}
        return params | ({"path": parsed.path} if parsed.path else {})


class PackageResources:
    """The resource functions, bound to the server's backend session."""

    def __init__(self, session: BackendSession) -> None:
        self.session = session

    async def entry(self, bucket: str, namespace: str, name: str, top_hash: str, path: str) -> ResourceResult:
        """The content of one package entry (text, or bytes for binary files), or a directory's listing."""
        package = f"{namespace}/{name}"
        if path.endswith("/"):
            return await self._listing(bucket, package, top_hash, path)
        result: ReadResult = await self.session.call(
            lambda ops: ops.read_entry(f"s3://{bucket}", package, path, top_hash, max_bytes=RESOURCE_MAX_BYTES)
        )
        guessed = mimetypes.guess_type(path)[0]
        meta = {"truncated": result.truncated, "total_size": result.total_size, "length": result.length}
        if result.encoding == "utf-8":
            text = result.content
            if result.truncated:
                text += (
                    f"\n[TRUNCATED: showing the first {result.length} of {result.total_size} bytes. "
                    "Read the rest with the entry_read tool and an offset.]"
                )
            return ResourceResult([ResourceContent(text, mime_type=guessed or "text/plain", meta=meta)])
        return ResourceResult(
            [ResourceContent(result.data(), mime_type=guessed or "application/octet-stream", meta=meta)]
        )

    async def summary(self, bucket: str, namespace: str, name: str, top_hash: str) -> ResourceResult:
        """A package revision's header, size, entry count and top-level listing, as JSON."""
        package = f"{namespace}/{name}"
        registry = f"s3://{bucket}"
        info = await self.session.call(lambda ops: ops.package_info(registry, package, top_hash))
        summary = {"uri": quilt_uri(bucket, package, top_hash=info.top_hash), "info": info.model_dump(mode="json")}
        return await self._listing(bucket, package, info.top_hash, "", summary)

    async def _listing(
        self, bucket: str, package: str, ref: str, path: str, head: dict[str, Any] | None = None
    ) -> ResourceResult:
        """JSON of a copy of ``head`` (default: the directory's own URI) and the first items of directory ``path``."""
        registry = f"s3://{bucket}"
        page = await self.session.call(lambda ops: ops.browse(registry, package, ref, path=path, limit=SUMMARY_LISTING))
        level = "top_level" if not path else "items"
        listing = {
            **(head or {"uri": quilt_uri(bucket, package, top_hash=page.top_hash, path=path), "path": path}),
            level: [item.model_dump(mode="json", exclude_none=True) for item in page.items],
            f"{level}_complete": page.next_cursor is None,
        }
        if page.next_cursor is not None:
            listing["more"] = (
                f"[MORE: only the first {SUMMARY_LISTING} items are listed; "
                "use the package_browse tool to page through the rest.]"
            )
        return ResourceResult([ResourceContent(json.dumps(listing, indent=2), mime_type="application/json")])


def register_resources(mcp: FastMCP, session: BackendSession) -> None:
    """Add the entry and manifest-summary templates to ``mcp``; a URI matches one only (it names a path or not)."""
    resources = PackageResources(session)
    for fn, template, name, title, mime in (
        (resources.entry, ENTRY_TEMPLATE, "package_entry", "Package entry", None),
        (resources.summary, SUMMARY_TEMPLATE, "package_revision", "Package revision summary", "application/json"),
    ):
        mcp.add_template(
            QuiltUriTemplate.from_function(
                reports_errors(name, fn, error=ResourceError, kind="resource"),
                uri_template=template,
                name=name,
                title=title,
                description=fn.__doc__,
                mime_type=mime,
            )
        )
