"""What a backend implements: the ``_``-methods ``QuiltOps`` calls after its checks.

Each receives arguments the pipeline already validated (see ``quilt_mcp.ops``).
Here each raises ``NotSupportedError`` for its capability; a backend overrides
the methods of every capability it declares (``unimplemented`` lists the gaps).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from quilt_mcp.arguments import missing_capability
from quilt_mcp.capabilities import OPERATIONS
from quilt_mcp.errors import NotSupportedError
from quilt_mcp.models import (
    BrowsePage,
    BucketInfo,
    DeleteResult,
    Entry,
    EntrySource,
    ObjectInfo,
    PackageDiff,
    PackageInfo,
    PackageSummary,
    Page,
    PresignedUrl,
    PushResult,
    ReadMode,
    ReadResult,
    Revision,
    SearchHit,
)
from quilt_mcp.uris import RegistryLocation

Progress = Callable[[float, float | None, str], None]
"""``progress(done, total, message)``; ``total`` is None when unknown."""

MetaMode = Literal["merge", "replace"]


class BackendMethods:
    """The backend half of ``QuiltOps``: one ``_``-method per operation."""

    backend_name: str
    capabilities: frozenset[str]

    def _not_implemented(self, operation: str) -> NotSupportedError:
        return missing_capability(self.backend_name, OPERATIONS[operation])

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str, cursor: str | None, limit: int
    ) -> Page[PackageSummary]:
        raise self._not_implemented("list_packages")

    def _list_revisions(
        self, registry: RegistryLocation, name: str, *, cursor: str | None, limit: int
    ) -> Page[Revision]:
        raise self._not_implemented("list_revisions")

    def _resolve_revision(self, registry: RegistryLocation, name: str, ref: str) -> str:
        raise self._not_implemented("resolve_revision")

    def _package_info(self, registry: RegistryLocation, name: str, ref: str) -> PackageInfo:
        raise self._not_implemented("package_info")

    def _browse(
        self,
        registry: RegistryLocation,
        name: str,
        ref: str,
        *,
        path: str,
        recursive: bool,
        cursor: str | None,
        limit: int,
        progress: Progress | None,
    ) -> BrowsePage:
        raise self._not_implemented("browse")

    def _entry_info(self, registry: RegistryLocation, name: str, logical_key: str, ref: str) -> Entry:
        raise self._not_implemented("entry_info")

    def _read_entry(
        self,
        registry: RegistryLocation,
        name: str,
        logical_key: str,
        ref: str,
        *,
        offset: int,
        max_bytes: int,
        mode: ReadMode,
    ) -> ReadResult:
        raise self._not_implemented("read_entry")

    def _entry_url(
        self, registry: RegistryLocation, name: str, logical_key: str, ref: str, *, expires_in: int
    ) -> PresignedUrl:
        raise self._not_implemented("entry_url")

    def _diff(self, registry: RegistryLocation, name: str, before: str, after: str, *, limit: int) -> PackageDiff:
        raise self._not_implemented("diff")

    def _search_packages(
        self, registry: RegistryLocation, needle: str, *, cursor: str | None, limit: int
    ) -> Page[SearchHit]:
        raise self._not_implemented("search_packages")

    def _create_revision(
        self,
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
        raise self._not_implemented("create_revision")

    def _update_revision(
        self,
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
        raise self._not_implemented("update_revision")

    def _delete_revision(self, registry: RegistryLocation, name: str, ref: str) -> DeleteResult:
        raise self._not_implemented("delete_revision")

    def _delete_package(self, registry: RegistryLocation, name: str) -> DeleteResult:
        raise self._not_implemented("delete_package")

    def _list_buckets(self) -> list[BucketInfo]:
        raise self._not_implemented("list_buckets")

    def _list_objects(self, uri: str, *, recursive: bool, cursor: str | None, limit: int) -> Page[ObjectInfo]:
        raise self._not_implemented("list_objects")

    def _object_info(self, uri: str) -> ObjectInfo:
        raise self._not_implemented("object_info")

    def _read_object(self, uri: str, *, offset: int, max_bytes: int, mode: ReadMode) -> ReadResult:
        raise self._not_implemented("read_object")


def unimplemented(ops_class: type, capabilities: frozenset[str]) -> list[str]:
    """Operations allowed by ``capabilities`` whose ``_``-method ``ops_class`` does not implement."""
    return sorted(
        op
        for op, need in OPERATIONS.items()
        if need in capabilities and getattr(ops_class, f"_{op}") is getattr(BackendMethods, f"_{op}")
    )
