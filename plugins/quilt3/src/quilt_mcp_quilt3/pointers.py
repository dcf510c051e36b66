"""quilt3's last push step made a compare-and-swap: ``latest`` moves by a conditional S3 write.

``Package.push`` checks ``latest`` and then writes it unconditionally, so two
processes pushing from one base can both win. ``ConditionalPush`` replaces the
step that writes the manifest and pointers (``Package._push_manifest``, through
a subclass that ``Package.push`` keeps, since it builds the pushed package as
``self.__class__()``): the manifest, then ``latest`` with If-Match (its ETag as
read) or If-None-Match (a new package), then the timestamp pointer, named in
unix seconds as quilt3 names it but never over another revision's pointer.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from quilt_mcp.kit.errors import conflict
from quilt_mcp.models import Revision
from quilt_mcp.kit.s3objects import CONDITION_CODES, error_code
from quilt_mcp.s3_errors import NOT_FOUND_CODES

LATEST = "latest"


def pointer_time(seconds: int) -> datetime:
    """The time a timestamp pointer (unix seconds) names."""
    return datetime.fromtimestamp(seconds, UTC)


def timestamped(versions: list[tuple[str, str]]) -> list[Revision]:
    """The revisions (timestamp pointers) among quilt3's ``(pointer, top hash)`` pairs, newest first."""
    found = sorted(((int(p), top_hash) for p, top_hash in versions if p.isdigit()), reverse=True)
    return [Revision(top_hash=top_hash, timestamp=pointer_time(seconds)) for seconds, top_hash in found]


def manifest_times(s3: Any, uri: str) -> Callable[[str], datetime | None]:
    """When a revision's manifest in registry ``uri`` was written (``None`` if it is missing)."""

    def manifest_time(top_hash: str) -> datetime | None:
        try:
            return s3.head_object(Bucket=uri[5:], Key=f".quilt/packages/{top_hash}")["LastModified"]
        except Exception as err:
            if error_code(err) in NOT_FOUND_CODES:
                return None
            raise

    return manifest_time


class ConditionalPush:
    """One push of ``name`` to ``uri`` whose ``latest`` must still be ``expected`` (unless ``force``)."""

    def __init__(self, s3: Any, uri: str, name: str, *, expected: str | None, force: bool) -> None:
        self.s3 = s3
        self.uri = uri
        self.name = name
        self.expected = expected
        self.force = force
        self.timestamp: datetime | None = None
        """When the pushed revision's pointer says it was pushed (set by a push that won)."""

    def adopt(self, pkg: Any) -> Any:
        """``pkg``, made to push through this object (its class becomes a subclass of its own)."""
        writer = self

        class Conditional(type(pkg)):  # type: ignore[misc]
            def _push_manifest(self, name: str, registry: Any, top_hash: str) -> None:
                writer.push_manifest(self, registry, top_hash)

        pkg.__class__ = Conditional
        return pkg

    def push_manifest(self, pkg: Any, registry: Any, top_hash: str) -> None:
        latest = registry.pointer_latest_pk(self.name)
        current, tag = self._read(latest.bucket, latest.path)
        if not self.force and current != self.expected:
            raise conflict(self.name, self.uri, self.expected, current)
        manifest = io.BytesIO()
        pkg._dump(manifest)
        where = registry.manifest_pk(self.name, top_hash)
        self.s3.put_object(Bucket=where.bucket, Key=where.path, Body=manifest.getvalue())
        condition = {} if self.force else {"IfMatch": tag} if tag else {"IfNoneMatch": "*"}
        if not self._put(latest.bucket, latest.path, top_hash, **condition):
            raise conflict(self.name, self.uri, self.expected, self._read(latest.bucket, latest.path)[0])
        self.timestamp = self._write_timestamp(registry, top_hash)

    def delete_revision(self, registry: Any, top_hash: str, versions: list[tuple[str, str]]) -> str | None:
        """Remove every pointer of ``top_hash`` (``versions``: quilt3's ``(pointer, hash)`` pairs) and return
        where ``latest`` points then. When ``latest`` is ``top_hash`` it first moves to the newest remaining
        revision (or goes) by a conditional write, so a push that moved it meanwhile makes this a conflict
        with nothing removed."""
        latest = registry.pointer_latest_pk(self.name)
        current, tag = self._read(latest.bucket, latest.path)
        stamps = timestamped(versions)
        if current == top_hash:
            current = next((r.top_hash for r in stamps if r.top_hash != top_hash), None)
            moved = (
                self._put(latest.bucket, latest.path, current, IfMatch=tag)
                if current
                else self._delete(latest.bucket, latest.path, IfMatch=tag)
            )
            if not moved:
                raise conflict(self.name, self.uri, top_hash, self._read(latest.bucket, latest.path)[0])
        for revision in stamps:
            if revision.top_hash == top_hash:
                pointer = registry.pointer_pk(self.name, str(int(revision.timestamp.timestamp())))
                self.s3.delete_object(Bucket=pointer.bucket, Key=pointer.path)
        return current

    def _write_timestamp(self, registry: Any, top_hash: str) -> datetime:
        """The pointer of the current second; when another revision holds it, the next second (waited
        for). A revision superseded meanwhile keeps no pointer (it stays readable by hash)."""
        latest = registry.pointer_latest_pk(self.name)
        while True:
            seconds = int(time.time())
            pointer = registry.pointer_pk(self.name, str(seconds))
            if self._put(pointer.bucket, pointer.path, top_hash, IfNoneMatch="*"):
                return pointer_time(seconds)
            held = self._read(pointer.bucket, pointer.path)[0]
            if held == top_hash or self._read(latest.bucket, latest.path)[0] != top_hash:
                return pointer_time(seconds)
            time.sleep(1 - time.time() % 1)

    def _read(self, bucket: str, key: str) -> tuple[str | None, str | None]:
        """A pointer's top hash and ETag; ``(None, None)`` if it is absent."""
        try:
            resp = self.s3.get_object(Bucket=bucket, Key=key)
        except Exception as err:
            if error_code(err) in NOT_FOUND_CODES:
                return None, None
            raise
        return resp["Body"].read().decode().strip(), resp["ETag"]

    def _delete(self, bucket: str, key: str, **condition: str) -> bool:
        """Delete a pointer; False if its condition failed."""
        try:
            self.s3.delete_object(Bucket=bucket, Key=key, **condition)
        except Exception as err:
            if condition and error_code(err) in (*CONDITION_CODES, *NOT_FOUND_CODES):
                return False
            raise
        return True

    def _put(self, bucket: str, key: str, top_hash: str, **condition: str) -> bool:
        """Write a pointer; False if its condition failed."""
        try:
            self.s3.put_object(Bucket=bucket, Key=key, Body=top_hash.encode(), **condition)
        except Exception as err:
            if condition and error_code(err) in (*CONDITION_CODES, *NOT_FOUND_CODES):
                return False
            raise
        return True
