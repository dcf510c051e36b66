"""Create, update and delete revisions through ``packageConstruct`` and ``packageRevisionDelete``.

Inline text (and ``copy`` of S3 sources) is first stored in the registry
bucket at ``<name>/<logical key>`` (pinned by the version S3 reports), then
referenced; S3 sources are referenced where they are. Prefix sources
expand to every object below them.

The catalog offers no compare-and-swap on ``latest``. The base check is
therefore *checked before, verified after*: before anything is written,
``latest`` must be the base (else ``ConflictError`` naming both hashes and
nothing is written); after the push, the revision listed just before the
new one must be the base. A write that lands between the check and the
push (a window of one round trip) is caught by that verification, but
the new revision then exists: the error names both hashes and the new one,
and says how to undo it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from quilt_mcp.errors import ConflictError, NotFoundError
from quilt_mcp.kit.errors import conflict
from quilt_mcp.models import DeleteResult, Entry, EntrySource, PushResult, Revision
from quilt_mcp.ops import MetaMode, Progress
from quilt_mcp.uris import RegistryLocation, S3Uri, parse_s3_uri

from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.index import sort_key
from quilt_mcp_platform.revisions import when

if TYPE_CHECKING:
    from quilt_mcp_platform.ops import PlatformOps


HASH_TYPE = "sha2-256-chunked"
PART = 8 * 1024 * 1024


def chunked_hash(data: bytes) -> str:
    """quilt3's ``sha2-256-chunked`` of ``data`` held in memory (8 MiB parts; no parts for zero bytes).

    In-memory text never reaches 10,000 parts, where quilt3 doubles the part size.
    """
    if not data:
        return base64.b64encode(hashlib.sha256(b"").digest()).decode()
    parts = b"".join(hashlib.sha256(data[i : i + PART]).digest() for i in range(0, len(data), PART))
    return base64.b64encode(hashlib.sha256(parts).digest()).decode()


VERIFY_WINDOW = 10
"""Newest revisions read after a push to find the one it followed."""


def _join(prefix: str, rest: str) -> str:
    return f"{prefix.rstrip('/')}/{rest}" if prefix.strip("/") else rest


def _pinned(bucket: str, key: str, reply: dict[str, Any]) -> str:
    version = reply.get("VersionId")
    return S3Uri(bucket, key, version if version and version != "null" else None).uri


class WritePath:
    """The write operations of ``PlatformOps`` (a mixin: uses its ``client``, ``objects`` and ``revisions``)."""

    def _latest(self: PlatformOps, registry: RegistryLocation, name: str) -> str | None:
        found = results.parse_revision_hash(self.client.execute(operations.revision_hash(registry.bucket, name)))
        return None if found is None else found.hash

    def _construct_entries(self: PlatformOps, registry: RegistryLocation, name: str, sources: Sequence[EntrySource], copy: bool) -> list[dict[str, Any]]:
        """``PackageConstructEntry`` inputs for ``sources``: text stored first, prefixes expanded."""
        made: list[dict[str, Any]] = []
        for src in sources:
            meta = {"user_meta": src.meta} if src.meta is not None else {}
            if src.text is not None:
                key = f"{name}/{src.logical_key}"
                body = src.text.encode("utf-8")
                with self.objects.errors(f"s3://{registry.bucket}/{key}"):
                    reply = self.objects.client().put_object(Bucket=registry.bucket, Key=key, Body=body)
                made.append(
                    {
                        "logicalKey": src.logical_key,
                        "physicalKey": _pinned(registry.bucket, key, reply),
                        "meta": meta,
                        # given, the catalog need not read the object back to size and hash it
                        "size": len(body),
                        "hash": {"type": HASH_TYPE, "value": chunked_hash(body)},
                    }
                )
                continue
            where = parse_s3_uri(src.source or "")
            if where.key and not where.key.endswith("/"):
                self.objects.head(where)  # a missing source fails here, before anything is written
                pairs = [(src.logical_key, where)]
            else:
                pairs = [(_join(src.logical_key, k[len(where.key):]), S3Uri(where.bucket, k)) for k in self._keys_below(where)]
                if not pairs:
                    raise NotFoundError(f"No objects below {src.source}.", "Check the bucket and prefix.")
            for logical_key, obj in pairs:
                physical = self._copied(registry, name, logical_key, obj) if copy else obj.uri
                made.append({"logicalKey": logical_key, "physicalKey": physical, "meta": meta})
        return made

    def _keys_below(self: PlatformOps, where: S3Uri) -> list[str]:
        keys: list[str] = []
        token = None
        while True:
            reply = self.objects.list_page(where.bucket, where.key, token=token)
            keys += [o["Key"] for o in reply.get("Contents", []) if not o["Key"].endswith("/")]
            token = reply.get("NextContinuationToken")
            if not reply.get("IsTruncated") or not token:
                return keys

    def _copied(self: PlatformOps, registry: RegistryLocation, name: str, logical_key: str, obj: S3Uri) -> str:
        key = f"{name}/{logical_key}"
        source = {"Bucket": obj.bucket, "Key": obj.key, **({"VersionId": obj.version_id} if obj.version_id else {})}
        with self.objects.errors(obj.uri):
            reply = self.objects.client().copy_object(Bucket=registry.bucket, Key=key, CopySource=source)
        return _pinned(registry.bucket, key, reply)

    def _push(
        self: PlatformOps,
        registry: RegistryLocation,
        name: str,
        entries: list[dict[str, Any]],
        *,
        message: str | None,
        user_meta: dict[str, Any] | None,
        expected: str | None,
        force: bool,
    ) -> PushResult:
        entries.sort(key=lambda e: sort_key(e["logicalKey"]))
        request = operations.package_construct(registry.bucket, name, entries, message=message, user_meta=user_meta)
        pushed = results.parse_package_construct(self.client.execute(request))
        previous = self._pushed_after(registry, name, pushed)
        if not force and previous != expected:
            raise ConflictError(
                f"{name} in {registry.uri} changed while this write landed: it was based on "
                f"{expected or 'no revision (a new package)'}, but {previous} was pushed in between. "
                f"The new revision {pushed.hash} exists and is latest.",
                f"Check it against {previous}; delete_revision({pushed.hash}) undoes it.",
            )
        return PushResult(
            name=name,
            registry=registry.uri,
            top_hash=pushed.hash,
            timestamp=when(pushed.modified),
            entry_count=pushed.total_entries if pushed.total_entries is not None else len(entries),
            total_bytes=int(pushed.total_bytes or 0),
            previous_hash=previous,
        )

    def _pushed_after(self: PlatformOps, registry: RegistryLocation, name: str, pushed: results.Pushed) -> str | None:
        """The revision listed just before ``pushed`` (newest first; a few newer ones may have landed since)."""
        page = self.revisions.page(registry.bucket, name, 1, VERIFY_WINDOW)
        listed = [r.hash for r in page.revisions] if page is not None else []
        if pushed.hash in listed:
            older = listed[listed.index(pushed.hash) + 1 :]
            return next((h for h in older if h != pushed.hash), None)
        return None

    def _create_revision(
        self: PlatformOps,
        registry: RegistryLocation,
        name: str,
        entries: Sequence[EntrySource],
        *,
        message: str | None,
        user_meta: dict[str, Any] | None,
        base_hash: str | None,
        force: bool,
        copy: bool,
        progress: Progress | None,
    ) -> PushResult:
        expected = self.revisions.header(registry, name, base_hash).top_hash if base_hash is not None else None
        if not force:
            latest = self._latest(registry, name)
            if latest != expected:
                raise conflict(name, registry.uri, expected, latest)
        made = self._construct_entries(registry, name, entries, copy)
        return self._push(registry, name, made, message=message, user_meta=user_meta, expected=expected, force=force)

    def _update_revision(
        self: PlatformOps,
        registry: RegistryLocation,
        name: str,
        *,
        base_ref: str,
        add: Sequence[EntrySource],
        remove: Sequence[str],
        user_meta: dict[str, Any] | None,
        meta_mode: MetaMode,
        message: str | None,
        force: bool,
        copy: bool,
        progress: Progress | None,
    ) -> PushResult:
        base = self.revisions.header(registry, name, base_ref)
        index = self.revisions.index(registry, name, base.top_hash)
        keys = {k for k in remove if not k.endswith("/")}
        dirs = tuple(k for k in remove if k.endswith("/"))
        for key in keys:
            if index.find(key) is None:
                raise NotFoundError(f"Cannot remove {key!r}: it is not in the base revision.", "Browse the package.")
        for directory in dirs:
            lo, hi = index.directory(directory.rstrip("/"))
            if lo == hi:
                raise NotFoundError(
                    f"Cannot remove {directory}: no entries below it in the base revision.", "Browse the package."
                )
        if not force and base_ref != "latest":
            latest = self._latest(registry, name)
            if latest != base.top_hash:
                raise conflict(name, registry.uri, base.top_hash, latest)
        added = self._construct_entries(registry, name, add, copy)
        replaced = {e["logicalKey"] for e in added}
        kept = [
            _entry_input(e)
            for e in index.entries
            if e.logical_key not in keys and not e.logical_key.startswith(dirs) and e.logical_key not in replaced
        ]
        meta = base.user_meta
        if user_meta is not None:
            meta = user_meta if meta_mode == "replace" else {**base.user_meta, **user_meta}
        return self._push(
            registry, name, kept + added, message=message, user_meta=meta or None, expected=base.top_hash, force=force
        )

    def _delete_revision(self: PlatformOps, registry: RegistryLocation, name: str, ref: str) -> DeleteResult:
        header = self.revisions.header(registry, name, ref)
        stamps = [r for r in self.revisions.all(registry.bucket, name) if r.top_hash == header.top_hash]
        self._delete(registry, name, header.top_hash)
        return DeleteResult(
            name=name, registry=registry.uri, deleted_revisions=stamps, latest=self._latest(registry, name)
        )

    def _delete_package(self: PlatformOps, registry: RegistryLocation, name: str) -> DeleteResult:
        revisions = list(self.revisions.all(registry.bucket, name))
        if not revisions:
            from quilt_mcp.kit.errors import package_not_found

            raise package_not_found(name, registry.uri)
        for top_hash in dict.fromkeys(r.top_hash for r in revisions):
            self._delete(registry, name, top_hash)
        return DeleteResult(name=name, registry=registry.uri, deleted_revisions=revisions, latest=None)

    def _delete(self: PlatformOps, registry: RegistryLocation, name: str, top_hash: str) -> None:
        request = operations.package_revision_delete(registry.bucket, name, top_hash)
        results.parse_package_revision_delete(self.client.execute(request))


def _entry_input(entry: Entry) -> dict[str, Any]:
    return {
        "logicalKey": entry.logical_key,
        "physicalKey": entry.physical_key,
        "size": entry.size,
        "hash": {"type": entry.hash.type, "value": entry.hash.value},
        "meta": entry.meta,
    }
