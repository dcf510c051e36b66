"""The write path of ``IamOps``: create, update and delete revisions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from quilt_mcp import capabilities as cap
from quilt_mcp.errors import (
    NotSupportedError,
)
from quilt_mcp.models import (
    DeleteResult,
    EntrySource,
    PushResult,
    Revision,
)
from quilt_mcp.ops import (
    MetaMode,
    Progress,
)
from quilt_mcp.uris import RegistryLocation

from quilt_mcp_iam.changes import Removal, overlay
from quilt_mcp_iam.manifest import ManifestEntry, serialize
from quilt_mcp_iam.registry import Registry
from quilt_mcp_iam.sources import Materializer, SourcePlanner


class WritePath:
    """Create, update and delete revisions (a mixin of ``IamOps``: uses its ``registry``, ``s3`` and ``_package``)."""

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
        reg = self.registry(registry, must_exist=False)
        planned = self._planner(reg).plan(entries)
        expected = reg.resolve(name, base_hash) if base_hash is not None else None
        self._check_writable(reg, name, expected, check_latest=not force)
        header: dict[str, Any] = {"version": "v0"}
        if user_meta is not None:
            header["user_meta"] = user_meta
        header["message"] = message
        new_entries = Materializer(reg.storage, name, copy=copy, progress=progress).run(planned)
        return self._push(reg, name, header, (), new_entries, expected, force)

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
        reg, base_hash, base = self._package(registry, name, base_ref)
        planned = self._planner(reg).plan(add)
        removal = Removal(remove, base)
        # A base of 'latest' was read just now: reading it again would only repeat that GET.
        self._check_writable(reg, name, base_hash, check_latest=not force and base_ref != "latest")
        header = {k: v for k, v in base.header.items() if k not in ("top_hash", "workflow")}
        if user_meta is not None:
            header["user_meta"] = user_meta if meta_mode == "replace" else {**base.user_meta, **user_meta}
        header["message"] = message
        added = Materializer(reg.storage, name, copy=copy, progress=progress).run(planned)
        kept = (e for e in base.entries() if not removal.drops(e.logical_key))
        merged = overlay(kept, added)
        dir_meta = [(key, meta) for key, meta in base.dir_meta if not removal.drops(key)]
        return self._push(reg, name, header, dir_meta, merged, base_hash, force)

    def _planner(self, reg: Registry) -> SourcePlanner:
        return SourcePlanner(self.s3)

    @staticmethod
    def _check_writable(reg: Registry, name: str, expected: str | None, *, check_latest: bool) -> None:
        """Refuse early (before any data is stored) a push that needs workflows or (``check_latest``) whose
        ``expected`` is no longer the latest revision. ``Registry.push`` checks ``latest`` again as it writes."""
        if reg.has_workflows():
            raise NotSupportedError(
                f"{reg.uri} has a workflows config (.quilt/workflows/config.yml) that the iam backend cannot validate.",
                "Push to this registry with the quilt3 backend (quilt3 login) instead.",
                capability=cap.WRITE,
            )
        if check_latest:
            current = reg.latest(name)
            if current != expected:
                raise reg.conflict(name, expected, current)

    def _push(
        self,
        reg: Registry,
        name: str,
        header: dict[str, Any],
        dir_meta: Sequence[tuple[str, dict[str, Any]]],
        entries: Iterator[ManifestEntry] | Sequence[ManifestEntry],
        expected: str | None,
        force: bool,
    ) -> PushResult:
        written = serialize(header, dir_meta, entries)
        timestamp, previous = reg.push(name, written, expected=expected, force=force)
        return PushResult(
            name=name,
            registry=reg.uri,
            top_hash=written.top_hash,
            timestamp=timestamp,
            entry_count=written.entry_count,
            total_bytes=written.total_bytes,
            previous_hash=previous,
        )

    def _delete_revision(self, registry: RegistryLocation, name: str, ref: str) -> DeleteResult:
        reg = self.registry(registry)
        top_hash = reg.resolve(name, ref)
        deleted, latest = reg.delete_revision(name, top_hash)
        return DeleteResult(
            name=name,
            registry=reg.uri,
            deleted_revisions=[Revision(top_hash=h, timestamp=t) for t, h in deleted],
            latest=latest,
        )

    def _delete_package(self, registry: RegistryLocation, name: str) -> DeleteResult:
        reg = self.registry(registry)
        deleted = reg.delete_package(name)
        return DeleteResult(
            name=name,
            registry=reg.uri,
            deleted_revisions=[Revision(top_hash=h, timestamp=t) for t, h in deleted],
            latest=None,
        )
