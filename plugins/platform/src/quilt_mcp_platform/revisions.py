"""Revisions of a package through the catalog: resolving refs and loading a revision's entries.

Entry hashes come from ``contentsFlatMap``; a revision with more entries than
``CONTENTS_MAX`` (the catalog then answers null) is read from its manifest in
the registry bucket through S3 instead. Revisions are immutable, so loaded
ones are cached (bounded) by bucket and top hash.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.kit.errors import package_not_found, revision_not_found
from quilt_mcp.kit.s3objects import S3Objects
from quilt_mcp.models import Revision
from quilt_mcp.uris import RegistryLocation, S3Uri

from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import CatalogClient
from quilt_mcp_platform.index import RevisionIndex, entry_from

CONTENTS_MAX = 10_000
"""Entries up to which ``contentsFlatMap`` is asked for; bigger revisions are read from the manifest."""
REVISIONS_PAGE = 1000
CACHED_REVISIONS = 64
FULL_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Header:
    """A revision's header as the catalog reports it."""

    top_hash: str
    modified: datetime
    message: str | None
    user_meta: dict[str, Any]
    workflow: dict[str, Any] | None
    total_entries: int | None
    total_bytes: float | None


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


class Revisions:
    """Ref resolution and revision loading for one catalog client; thread-safe."""

    def __init__(self, client: CatalogClient, objects: Callable[[], S3Objects]) -> None:
        self.client = client
        self._objects = objects
        self._cache: OrderedDict[tuple[str, str], RevisionIndex] = OrderedDict()
        self._lock = threading.Lock()

    def exists(self, bucket: str, name: str) -> bool:
        data = self.client.execute(operations.package_revisions(bucket, name, per_page=1))
        return results.parse_package_revisions(data) is not None

    def page(self, bucket: str, name: str, number: int, per_page: int) -> results.RevisionsPage | None:
        return results.parse_package_revisions(
            self.client.execute(operations.package_revisions(bucket, name, number=number, per_page=per_page))
        )

    def all(self, bucket: str, name: str) -> Iterator[Revision]:
        """Every revision of ``name``, newest first (nothing when the package does not exist)."""
        number = 1
        while True:
            page = self.page(bucket, name, number, REVISIONS_PAGE)
            if page is None:
                return
            for r in page.revisions:
                yield Revision(top_hash=r.hash, timestamp=when(r.modified))
            if number * REVISIONS_PAGE >= page.total:
                return
            number += 1

    def header(self, registry: RegistryLocation, name: str, ref: str) -> Header:
        """The header of revision ``ref`` (``latest``, a full hash or a unique prefix of 6+ hex characters)."""
        hash_or_tag = ref if ref == "latest" or FULL_HASH.match(ref) else self._by_prefix(registry, name, ref)
        data = self.client.execute(operations.revision(registry.bucket, name, hash_or_tag))
        found = results.parse_revision(data)
        if found is None:
            if not self.exists(registry.bucket, name):
                raise package_not_found(name, registry.uri)
            raise revision_not_found(name, registry.uri, ref)
        return Header(
            top_hash=found.hash,
            modified=when(found.modified),
            message=found.message,
            user_meta=found.user_meta if isinstance(found.user_meta, dict) else {},
            workflow=found.workflow if isinstance(found.workflow, dict) else None,
            total_entries=found.total_entries,
            total_bytes=found.total_bytes,
        )

    def _by_prefix(self, registry: RegistryLocation, name: str, prefix: str) -> str:
        """The full hash ``prefix`` names, matched here (the catalog reads short digit strings as timestamps)."""
        matches = {r.top_hash for r in self.all(registry.bucket, name) if r.top_hash.startswith(prefix)}
        if len(matches) > 1:
            raise InvalidInputError(
                f"{prefix!r} matches {len(matches)} revisions of {name}.", "Give more characters of the hash."
            )
        if not matches:
            if not self.exists(registry.bucket, name):
                raise package_not_found(name, registry.uri)
            raise revision_not_found(name, registry.uri, prefix)
        return matches.pop()

    def index(self, registry: RegistryLocation, name: str, top_hash: str) -> RevisionIndex:
        """The entries of revision ``top_hash`` (a full hash), loaded once."""
        key = (registry.bucket, top_hash)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        data = self.client.execute(operations.revision_contents(registry.bucket, name, top_hash, CONTENTS_MAX))
        contents = results.parse_revision_contents(data)
        if contents is None:
            if not self.exists(registry.bucket, name):
                raise package_not_found(name, registry.uri)
            raise revision_not_found(name, registry.uri, top_hash)
        if contents.flat_map is not None:
            entries = [entry_from(k, v) for k, v in contents.flat_map.items()]
        else:
            entries = self._manifest_entries(registry.bucket, top_hash)
        built = RevisionIndex(entries)
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > CACHED_REVISIONS:
                self._cache.popitem(last=False)
        return built

    def _manifest_entries(self, bucket: str, top_hash: str) -> list[Any]:
        """The entries of the manifest ``.quilt/packages/<top_hash>``, read through S3 (JSON lines)."""
        where = S3Uri(bucket, f".quilt/packages/{top_hash}")
        objects = self._objects()
        with objects.errors(where.uri):
            body = objects.client().get_object(Bucket=bucket, Key=where.key)["Body"]
            lines = iter(body.iter_lines())
            next(lines, None)  # the header; the catalog gave it already
            entries = []
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    entries.append(entry_from(record["logical_key"], record))
        return entries
