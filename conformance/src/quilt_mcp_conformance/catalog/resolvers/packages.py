"""``packages``, ``package`` and everything under a revision, read through quilt3.

Shapes (the catalog's, as the public schema types them):

- ``PackageList.page(order)``: ``NAME`` ascending, ``MODIFIED`` newest first;
  ``filter`` keeps names containing it (case-insensitive).
- ``Package.revisions.page``: newest first, one per timestamp pointer.
- ``revision(hashOrTag)``: ``latest``, a timestamp, a top hash or a unique
  prefix of at least 6 characters; null when the package has no such revision.
- ``metadata``: the manifest header (``version``, ``message``, ``user_meta``,
  ``workflow``); ``userMeta``: its ``user_meta`` (null when absent).
- ``PackageFile.metadata`` and ``contentsFlatMap`` ``meta``: the entry's full
  ``meta`` (user metadata under ``user_meta``), as in the manifest;
  ``contentsFlatMap(max)``: ``{logicalKey: {physicalKey, size, hash: {type, value}, meta}}``,
  null when the revision has more than ``max`` entries.
- ``dir(path)``: ``""`` is the root; a directory's ``path`` ends with ``/``.

A bucket outside the caller's role answers as a missing one: null.
"""

from __future__ import annotations

import asyncio
from typing import Any

import quilt3
from graphql import GraphQLResolveInfo

from quilt_mcp_conformance.catalog.registry import Pointer
from quilt_mcp_conformance.catalog.resolvers.context import Caller, blocking, caller, iso


class RevisionView:
    """One revision's manifest, loaded once (in a worker thread) however many fields ask for it."""

    def __init__(self, who: Caller, bucket: str, name: str, pointer: Pointer) -> None:
        self._who = who
        self.bucket = bucket
        self.name = name
        self.pointer = pointer
        self._loaded: asyncio.Future[quilt3.Package] | None = None

    async def package(self) -> quilt3.Package:
        if self._loaded is None:
            self._loaded = asyncio.ensure_future(
                blocking(self._who.state.registry.browse, self.bucket, self.name, self.pointer.hash)
            )
        return await self._loaded

    async def header(self) -> dict[str, Any]:
        return dict((await self.package())._meta)

    def as_object(self) -> dict[str, Any]:
        async def field_of_header(key: str) -> Any:
            return (await self.header()).get(key)

        async def workflow(_info: GraphQLResolveInfo) -> dict[str, Any] | None:
            value = await field_of_header("workflow")
            return {"config": value.get("config"), "id": value.get("id")} if isinstance(value, dict) else None

        async def entries() -> list[tuple[str, Any]]:
            return list((await self.package()).walk())

        async def total_entries(_info: GraphQLResolveInfo) -> int:
            return len(await entries())

        async def total_bytes(_info: GraphQLResolveInfo) -> float:
            return float(sum(entry.size for _key, entry in await entries()))

        async def dir_(_info: GraphQLResolveInfo, path: str) -> dict[str, Any] | None:
            return directory(await self.package(), path)

        async def file(_info: GraphQLResolveInfo, path: str) -> dict[str, Any] | None:
            pkg = await self.package()
            try:
                entry = pkg[path]
            except (KeyError, ValueError, quilt3.util.QuiltException):
                return None
            return file_object(path, entry) if isinstance(entry, quilt3.packages.PackageEntry) else None

        async def flat_map(_info: GraphQLResolveInfo, max: int = 1000) -> dict[str, Any] | None:
            listed = await entries()
            if len(listed) > max:
                return None
            return {
                key: {"physicalKey": str(e.physical_key), "size": e.size, "hash": e.hash, "meta": e._meta}
                for key, e in listed
            }

        return {
            "hash": self.pointer.hash,
            "modified": iso(self.pointer.modified),
            "message": lambda _info: field_of_header("message"),
            "metadata": lambda _info: self.header(),
            "userMeta": lambda _info: field_of_header("user_meta"),
            "workflow": workflow,
            "totalEntries": total_entries,
            "totalBytes": total_bytes,
            "dir": dir_,
            "file": file,
            "contentsFlatMap": flat_map,
        }


def file_object(path: str, entry: Any) -> dict[str, Any]:
    return {
        "__typename": "PackageFile",
        "path": path,
        "metadata": entry._meta or None,
        "size": float(entry.size),
        "physicalKey": str(entry.physical_key),
    }


def directory(pkg: quilt3.Package, path: str) -> dict[str, Any] | None:
    """The ``PackageDir`` at ``path`` ("" or "/" for the root), or None when no directory is there."""
    key = path.strip("/")
    try:
        node = pkg[key] if key else pkg
    except (KeyError, ValueError, quilt3.util.QuiltException):
        return None
    if not isinstance(node, quilt3.Package):
        return None
    prefix = f"{key}/" if key else ""
    children = []
    for child_name, child in sorted(node._children.items()):
        if isinstance(child, quilt3.Package):
            children.append(directory(pkg, f"{prefix}{child_name}"))
        else:
            children.append(file_object(f"{prefix}{child_name}", child))
    return {
        "__typename": "PackageDir",
        "path": prefix,
        "metadata": node._meta or None if key else None,
        "size": float(sum(entry.size for _k, entry in node.walk())),
        "children": children,
    }


def package_object(who: Caller, bucket: str, name: str, stamps: list[int]) -> dict[str, Any]:
    """A ``Package`` of ``name`` whose revision timestamps (newest first) are ``stamps``."""
    registry = who.state.registry

    async def page(_info: GraphQLResolveInfo, number: int = 1, perPage: int = 10) -> list[dict[str, Any]]:
        start = max(number - 1, 0) * max(perPage, 0)
        chosen = stamps[start : start + max(perPage, 0)]
        pointers = await asyncio.gather(*(blocking(registry.pointer, bucket, name, s) for s in chosen))
        return [RevisionView(who, bucket, name, p).as_object() for p in pointers]

    async def revision(_info: GraphQLResolveInfo, hashOrTag: str = "latest") -> dict[str, Any] | None:
        pointer = await blocking(registry.resolve, bucket, name, hashOrTag)
        return None if pointer is None else RevisionView(who, bucket, name, pointer).as_object()

    return {
        "bucket": bucket,
        "name": name,
        "modified": iso(Pointer(stamps[0], "").modified),
        "revisions": {"total": len(stamps), "page": page},
        "revision": revision,
    }


async def packages(info: GraphQLResolveInfo, bucket: str, filter: str | None = None) -> dict[str, Any] | None:
    who = caller(info)
    if not who.may(bucket):
        return None
    found = await blocking(who.state.registry.timestamps, bucket)
    needle = (filter or "").lower()
    names = sorted(name for name in found if needle in name.lower())

    def page(_info: GraphQLResolveInfo, number: int = 1, perPage: int = 30, order: str = "NAME") -> list[dict[str, Any]]:
        ordered = names if order == "NAME" else sorted(names, key=lambda n: (-found[n][0], n))
        start = max(number - 1, 0) * max(perPage, 0)
        return [package_object(who, bucket, n, found[n]) for n in ordered[start : start + max(perPage, 0)]]

    return {"total": len(names), "page": page}


async def package(info: GraphQLResolveInfo, bucket: str, name: str) -> dict[str, Any] | None:
    who = caller(info)
    if not who.may(bucket):
        return None
    stamps = (await blocking(who.state.registry.timestamps, bucket, name)).get(name)
    return package_object(who, bucket, name, stamps) if stamps else None


ROOT = {"packages": packages, "package": package}
