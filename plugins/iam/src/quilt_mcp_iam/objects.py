"""Buckets and objects: S3 objects, and files inside configured local registries, through ``Storage``."""

from __future__ import annotations

from quilt_mcp import cursors
from quilt_mcp.errors import (
    AuthRequiredError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from quilt_mcp.kit.buckets import merge_buckets
from quilt_mcp.kit.reading import read_result
from quilt_mcp.kit.s3objects import s3_errors
from quilt_mcp.models import (
    BucketInfo,
    ObjectInfo,
    Page,
    ReadMode,
    ReadResult,
)
from quilt_mcp.ops import (
    DEFAULT_PAGE,
    DEFAULT_READ_BYTES,
)
from quilt_mcp.uris import RegistryLocation, as_directory, local_path, parse_s3_uri

from quilt_mcp_iam.local import LocalStorage
from quilt_mcp_iam.storage import ObjectMeta, Storage


class ObjectOperations:
    """The bucket and object operations of ``IamOps`` (a mixin: uses its ``s3``, ``s3_client``, ``aws``
    and ``registries``)."""

    aws: bool
    registries: tuple[RegistryLocation, ...]

    def _list_buckets(self) -> list[BucketInfo]:
        listed: list[str] = []
        if self.aws:
            try:
                with s3_errors("the bucket list"):
                    listed = [b["Name"] for b in self.s3_client.list_buckets().get("Buckets", [])]
            except (AuthRequiredError, PermissionDeniedError):
                if not self.registries:
                    raise
        return merge_buckets(listed, [location.uri for location in self.registries])

    def _list_objects(
        self,
        uri: str,
        *,
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
    ) -> Page[ObjectInfo]:
        token = cursors.decode("objects", cursor)
        storage, prefix = self._object_location(uri)
        page = storage.list(as_directory(prefix), delimiter=None if recursive else "/", token=token, max_keys=limit)
        items = [object_info_of(storage, obj) for obj in page.objects]
        items += [ObjectInfo(uri=object_uri(storage, p), kind="prefix") for p in page.prefixes]
        items.sort(key=lambda item: item.uri)
        return Page(items=items, next_cursor=cursors.encode("objects", page.next_token) if page.next_token else None)

    def _object_info(self, uri: str) -> ObjectInfo:
        storage, key, version = self._object(uri) if uri.startswith("s3://") else (*self._object_location(uri), None)
        try:
            return object_info_of(storage, storage.head(key, version_id=version))
        except (NotFoundError, InvalidInputError):
            prefix = as_directory(key)
            if version is None and storage.list(prefix, max_keys=1).objects:
                return ObjectInfo(uri=object_uri(storage, prefix), kind="prefix")
            raise

    def _read_object(
        self, uri: str, *, offset: int = 0, max_bytes: int = DEFAULT_READ_BYTES, mode: ReadMode = "auto"
    ) -> ReadResult:
        storage, key, version = self._object(uri)
        return read(storage, key, version, uri, offset, max_bytes, mode)

    def _object(self, uri: str) -> tuple[Storage, str, str | None]:
        if uri.startswith("s3://"):
            parsed = parse_s3_uri(uri, allow_empty_key=False)
            return self.s3(parsed.bucket), parsed.key, parsed.version_id
        storage, key = self._object_location(uri)
        if not key:
            raise InvalidInputError(f"{uri!r} names a directory, not a file.", "Name a file.")
        return storage, key, None

    def _object_location(self, uri: str) -> tuple[Storage, str]:
        """Storage and key (or prefix) of an ``s3://`` URI, or of a path inside a configured local registry."""
        if uri.startswith("s3://"):
            parsed = parse_s3_uri(uri)
            if parsed.version_id:
                raise InvalidInputError(f"{uri!r} has a versionId; a listing takes a prefix.", "Drop ?versionId=.")
            return self.s3(parsed.bucket), parsed.key
        path = local_path(uri)
        for location in self.registries:
            root = location.path
            if location.is_local and root is not None and (path == root or root in path.parents):
                return LocalStorage(root), path.relative_to(root).as_posix() if path != root else ""
        raise InvalidInputError(
            f"{uri!r} is not an S3 URI or a path inside a configured local registry.",
            "Use s3://bucket/key, or add the local registry to QUILT_MCP_REGISTRIES.",
        )


def read(
    storage: Storage, key: str, version: str | None, source: str, offset: int, max_bytes: int, mode: ReadMode
) -> ReadResult:
    data, total = storage.read_range(key, offset, max_bytes, version_id=version)
    return read_result(source, data, offset=offset, total_size=total, mode=mode)


def object_uri(storage: Storage, key: str) -> str:
    """The URI of an object or (``key`` ending in '/') a prefix."""
    uri = storage.physical_key(key)
    return uri + "/" if key.endswith("/") and not uri.endswith("/") else uri


def object_info_of(storage: Storage, obj: ObjectMeta) -> ObjectInfo:
    return ObjectInfo(
        uri=object_uri(storage, obj.key),
        kind="object",
        size=obj.size,
        last_modified=obj.last_modified,
        etag=obj.etag,
        version_id=obj.version_id,
        content_type=obj.content_type,
    )
