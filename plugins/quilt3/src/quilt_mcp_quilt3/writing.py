"""The write path of ``Quilt3Ops``: ``Package.push`` with conflict checks, and deleting revisions."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quilt_mcp.errors import (
    InvalidInputError,
    NotFoundError,
)
from quilt_mcp.kit.errors import conflict
from quilt_mcp.models import (
    DeleteResult,
    EntrySource,
    PushResult,
)
from quilt_mcp.ops import (
    MetaMode,
    Progress,
)
from quilt_mcp.uris import RegistryLocation, parse_s3_uri

from quilt_mcp_quilt3 import manifests
from quilt_mcp_quilt3.errors import mapped_errors
from quilt_mcp_quilt3.library import quilt3_call
from quilt_mcp_quilt3.pointers import LATEST, ConditionalPush, timestamped


class WritePath:
    """Create, update and delete revisions (a mixin of ``Quilt3Ops``: uses its registry, resolving and
    reading helpers)."""

    def _create_revision(
        self,
        registry: RegistryLocation,
        name: str,
        entries: Sequence[EntrySource],
        *,
        message: str | None = None,
        user_meta: dict[str, Any] | None = None,
        base_hash: str | None = None,
        force: bool = False,
        copy: bool = False,
        progress: Progress | None = None,
    ) -> PushResult:
        uri, reg = self._open_registry(registry)
        if base_hash is not None and len(base_hash) < 64:
            base_hash = self._resolve(uri, reg, name, base_hash)
        previous = self._latest_for_write(uri, reg, name, base_hash, force=force)
        with quilt3_call() as quilt3:
            if base_hash is None or force:
                pkg = quilt3.Package()
            else:
                # quilt3 checks `latest` against the revision a package was browsed from, just before it writes.
                pkg = self._package_of(uri, name, base_hash, cached=False)
                for key in list(pkg.keys()):
                    pkg.delete(key)
                if "user_meta" in manifests.header(pkg):
                    pkg.set_meta({})
        return self._write(
            uri,
            reg,
            name,
            pkg,
            entries,
            message=message,
            user_meta=user_meta,
            expected=base_hash,
            previous=previous,
            force=force,
            copy=copy,
            progress=progress,
        )

    def _update_revision(
        self,
        registry: RegistryLocation,
        name: str,
        *,
        base_ref: str = "latest",
        add: Sequence[EntrySource] = (),
        remove: Sequence[str] = (),
        user_meta: dict[str, Any] | None = None,
        meta_mode: MetaMode = "merge",
        message: str | None = None,
        force: bool = False,
        copy: bool = False,
        progress: Progress | None = None,
    ) -> PushResult:
        uri, reg, base = self._open(registry, name, base_ref)
        # Resolving `latest` just read it; quilt3's push checks it again before writing.
        previous = base if base_ref == "latest" else self._latest_for_write(uri, reg, name, base, force=force)
        pkg = self._package_of(uri, name, base, cached=False)
        with quilt3_call():
            for key in remove:
                node = manifests.lookup(pkg, key.rstrip("/"), name=name, top_hash=base)
                if manifests.is_entry(node) == key.endswith("/"):
                    kind = "a file" if manifests.is_entry(node) else "a directory"
                    raise InvalidInputError(f"{key!r} is {kind}.", "End directories with '/' and files without it.")
                pkg.delete(key.rstrip("/"))
        if user_meta is not None and meta_mode == "merge":
            user_meta = {**manifests.header_user_meta(manifests.header(pkg)), **user_meta}
        return self._write(
            uri,
            reg,
            name,
            pkg,
            add,
            message=message,
            user_meta=user_meta,
            expected=base,
            previous=previous,
            force=force,
            copy=copy,
            progress=progress,
        )

    def _latest_for_write(self, uri: str, reg: Any, name: str, expected: str | None, *, force: bool) -> str | None:
        """``latest`` of ``name`` now; unless ``force``, ``ConflictError`` if it is not ``expected``."""
        latest = self._latest(reg, name)
        if not force and latest != expected:
            raise conflict(name, uri, expected, latest)
        return latest

    def _write(
        self,
        uri: str,
        reg: Any,
        name: str,
        pkg: Any,
        sources: Sequence[EntrySource],
        *,
        message: str | None,
        user_meta: dict[str, Any] | None,
        expected: str | None,
        previous: str | None,
        force: bool,
        copy: bool,
        progress: Progress | None,
    ) -> PushResult:
        """Add ``sources`` to ``pkg`` and push it with ``Package.push``.

        ``selector_fn`` copies local files (inline text) into the registry and
        S3 objects only when ``copy``. Unless ``force``, quilt3 refuses the push
        if ``latest`` moved from ``expected``; nothing is written then.
        ``previous`` is ``latest`` as read before the write began.
        """
        kept = pkg.meta if isinstance(pkg.meta, dict) else {}
        with tempfile.TemporaryDirectory(prefix="quilt-mcp-") as scratch:
            if progress:
                progress(0, None, f"Adding {len(sources)} sources")
            for index, source in enumerate(sources):
                _add_source(pkg, source, Path(scratch) / str(index))
            wanted = kept if user_meta is None else user_meta
            if pkg.meta != wanted:  # set_dir at the root resets the package metadata
                pkg.set_meta(wanted)
            if progress:
                progress(0, None, f"Pushing {name} to {uri}")
            writer = ConditionalPush(self.s3, uri, name, expected=expected, force=force)
            with quilt3_call() as quilt3, mapped_errors(f"Pushing {name} to {uri}"):
                try:
                    pushed = writer.adopt(pkg).push(
                        name,
                        registry=uri,
                        message=message,
                        selector_fn=lambda _lk, entry: copy or entry.physical_key.is_local(),
                        force=force,
                    )
                except quilt3.util.QuiltConflictException as err:
                    raise conflict(name, uri, expected, self._latest(reg, name)) from err
        count, size = manifests.totals(pushed)
        top_hash = pushed.top_hash
        if progress:
            progress(1, 1, f"Pushed {name}@{top_hash[:10]}")
        return PushResult(
            name=name,
            registry=uri,
            top_hash=top_hash,
            timestamp=writer.timestamp or datetime.now(UTC),
            entry_count=count,
            total_bytes=size,
            previous_hash=previous,
        )

    def _delete_revision(self, registry: RegistryLocation, name: str, ref: str) -> DeleteResult:
        uri, reg = self._open_registry(registry)
        versions = self._versions(uri, name)
        top_hash = self._resolve(uri, reg, name, ref, versions)
        deleted = [r for r in timestamped(versions) if r.top_hash == top_hash]
        if not deleted and (LATEST, top_hash) not in versions:
            raise NotFoundError(f"No revision of {name} in {uri} is {top_hash}.", "List its revisions to find one.")
        writer = ConditionalPush(self.s3, uri, name, expected=top_hash, force=False)
        with mapped_errors(f"Deleting {name}@{top_hash[:10]} from {uri}"):
            latest = writer.delete_revision(reg, top_hash, versions)
        return DeleteResult(name=name, registry=uri, deleted_revisions=deleted, latest=latest)

    def _delete_package(self, registry: RegistryLocation, name: str) -> DeleteResult:
        uri, _ = self._open_registry(registry)
        revisions = self._revisions(uri, name)
        with quilt3_call() as quilt3, mapped_errors(f"Deleting {name} from {uri}"):
            quilt3.delete_package(name, registry=uri)
        return DeleteResult(name=name, registry=uri, deleted_revisions=revisions, latest=None)


def _is_prefix(source: str) -> bool:
    """True for ``s3://bucket`` or ``s3://bucket/prefix/`` (every object below), False for one object."""
    key = parse_s3_uri(source).key
    return key == "" or key.endswith("/")


def _add_source(pkg: Any, source: EntrySource, scratch: Path) -> None:
    """Put one source into ``pkg``: text via a scratch file, an S3 object, or every object below an S3 prefix."""
    where = source.source or f"inline text for {source.logical_key!r}"
    with quilt3_call(), mapped_errors(f"Adding {where}"):
        if source.text is not None:
            scratch.write_text(source.text, encoding="utf-8")
            pkg.set(source.logical_key, str(scratch), meta=source.meta)
            return
        location = parse_s3_uri(source.source)
        if not _is_prefix(source.source):
            pkg.set(source.logical_key, source.source, meta=source.meta)
            return
        if location.version_id:
            raise InvalidInputError(f"{source.source} is a prefix and cannot have a versionId.", "Drop ?versionId=.")
        directory = source.logical_key.strip("/")
        pkg.set_dir(directory or "/", source.source)
        node = pkg[directory] if directory else pkg
        added = [
            entry
            for _, entry in node.walk()
            if entry.physical_key.bucket == location.bucket and entry.physical_key.path.startswith(location.key)
        ]
        if not added:
            raise NotFoundError(
                f"There are no objects below {source.source}.", "Check the prefix, or list it with list_objects."
            )
        if source.meta is not None:
            for entry in added:
                entry.set_meta(source.meta)
