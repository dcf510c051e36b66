"""One parse function per result type of ``operations``: the ``data`` of a response to typed values.

Union results are read arm by arm on ``__typename``: the success arm becomes
a value, ``InvalidInput`` an ``InvalidInputError``, ``OperationError`` the
closest core error (``graphql.errors``). A package or revision the catalog
answers ``null`` for becomes ``None``; callers raise the not-found error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quilt_mcp.errors import BackendUnavailableError

from quilt_mcp_platform.graphql.errors import invalid_input, operation_error

Data = Mapping[str, Any]


@dataclass(frozen=True)
class Me:
    name: str
    email: str
    is_admin: bool
    role: str


@dataclass(frozen=True)
class Bucket:
    name: str
    title: str
    description: str | None
    browsable: bool


@dataclass(frozen=True)
class PackageSummary:
    bucket: str
    name: str
    modified: str


@dataclass(frozen=True)
class PackagesPage:
    total: int
    packages: tuple[PackageSummary, ...]


@dataclass(frozen=True)
class RevisionSummary:
    hash: str
    modified: str
    message: str | None


@dataclass(frozen=True)
class RevisionsPage:
    total: int
    modified: str
    revisions: tuple[RevisionSummary, ...]


@dataclass(frozen=True)
class Revision:
    hash: str
    modified: str
    message: str | None
    user_meta: Any
    metadata: Any
    workflow: Mapping[str, Any] | None
    total_entries: int | None
    total_bytes: float | None


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: float
    physical_key: str
    metadata: Any


@dataclass(frozen=True)
class DirEntry:
    path: str
    size: float


@dataclass(frozen=True)
class Directory:
    hash: str
    path: str
    children: tuple[FileEntry | DirEntry, ...]


@dataclass(frozen=True)
class Contents:
    """``flat_map``: logical key to entry as ``contentsFlatMap`` gives it; ``None`` when over its ``max``."""

    hash: str
    total_entries: int | None
    flat_map: Mapping[str, Any] | None


@dataclass(frozen=True)
class SearchHit:
    bucket: str
    name: str
    hash: str
    pointer: str
    score: float
    size: float
    modified: str
    total_entries: int
    comment: str | None
    meta: str | None


@dataclass(frozen=True)
class SearchPage:
    """``total`` only on a first page; ``cursor`` is ``None`` on the last page."""

    total: int | None
    cursor: str | None
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class Pushed:
    name: str
    hash: str
    modified: str
    total_entries: int | None = None
    total_bytes: float | None = None


def _arm(operation: str, union: Data, success: str) -> Data:
    typename = union.get("__typename")
    if typename == success:
        return union
    if typename == "InvalidInput":
        raise invalid_input(operation, union)
    if typename == "OperationError":
        raise operation_error(operation, union)
    raise BackendUnavailableError(
        f"The catalog answered {operation} with an unexpected {typename!r} result.",
        "The catalog may run a newer schema version; run 'quilt-mcp doctor' and report it.",
    )


def parse_me(data: Data) -> Me | None:
    me = data.get("me")
    if me is None:
        return None
    return Me(me["name"], me["email"], bool(me["isAdmin"]), (me.get("role") or {}).get("name", ""))


def parse_buckets(data: Data) -> tuple[Bucket, ...]:
    """``bucketConfigs`` or ``buckets``, whichever the data holds."""
    items = data.get("bucketConfigs", data.get("buckets")) or ()
    return tuple(Bucket(b["name"], b["title"], b.get("description"), bool(b["browsable"])) for b in items)


def parse_packages(data: Data) -> PackagesPage | None:
    packages = data.get("packages")
    if packages is None:
        return None
    page = tuple(PackageSummary(p["bucket"], p["name"], p["modified"]) for p in packages["page"])
    return PackagesPage(packages["total"], page)


def parse_package_revisions(data: Data) -> RevisionsPage | None:
    package = data.get("package")
    if package is None:
        return None
    revisions = package["revisions"]
    page = tuple(RevisionSummary(r["hash"], r["modified"], r.get("message")) for r in revisions["page"])
    return RevisionsPage(revisions["total"], package["modified"], page)


def _revision_of(data: Data) -> Data | None:
    package = data.get("package")
    return None if package is None else package.get("revision")


def parse_revision(data: Data) -> Revision | None:
    r = _revision_of(data)
    if r is None:
        return None
    return Revision(
        r["hash"],
        r["modified"],
        r.get("message"),
        r.get("userMeta"),
        r.get("metadata"),
        r.get("workflow"),
        r.get("totalEntries"),
        r.get("totalBytes"),
    )


def _file(entry: Data) -> FileEntry:
    return FileEntry(entry["path"], entry["size"], entry["physicalKey"], entry.get("metadata"))


def _child(entry: Data) -> FileEntry | DirEntry:
    if entry["__typename"] == "PackageFile":
        return _file(entry)
    if entry["__typename"] == "PackageDir":
        return DirEntry(entry["path"], entry["size"])
    raise BackendUnavailableError(
        f"The catalog listed a directory entry of unknown type {entry['__typename']!r}.",
        "The catalog may run a newer schema version; run 'quilt-mcp doctor' and report it.",
    )


def parse_revision_hash(data: Data) -> RevisionSummary | None:
    """``None`` when the package or the revision does not exist."""
    r = _revision_of(data)
    return None if r is None else RevisionSummary(r["hash"], r["modified"], None)


def parse_revision_dir(data: Data) -> Directory | None:
    """``None`` when the revision, or the directory in it, does not exist."""
    r = _revision_of(data)
    if r is None or r.get("dir") is None:
        return None
    directory = r["dir"]
    return Directory(r["hash"], directory["path"], tuple(_child(c) for c in directory["children"]))


def parse_revision_file(data: Data) -> FileEntry | None:
    """``None`` when the revision, or the file in it, does not exist."""
    r = _revision_of(data)
    if r is None or r.get("file") is None:
        return None
    return _file(r["file"])


def parse_revision_contents(data: Data) -> Contents | None:
    r = _revision_of(data)
    if r is None:
        return None
    return Contents(r["hash"], r.get("totalEntries"), r.get("contentsFlatMap"))


def _page(page: Data, total: int | None) -> SearchPage:
    hits = tuple(
        SearchHit(
            h["bucket"],
            h["name"],
            h["hash"],
            h["pointer"],
            h["score"],
            h["size"],
            h["modified"],
            h["totalEntriesCount"],
            h.get("comment"),
            h.get("meta"),
        )
        for h in page["hits"]
    )
    return SearchPage(total, page.get("cursor"), hits)


def parse_search_packages(data: Data) -> SearchPage:
    """``searchPackages`` in either version's shape; an empty result set is an empty page."""
    union = data["searchPackages"]
    if union.get("__typename") == "EmptySearchResultSet":
        return SearchPage(0, None, ())
    result_set = _arm("searchPackages", union, "PackagesSearchResultSet")
    first = result_set["firstPage"]
    if "__typename" in first:  # the current version's PackagesFirstPageResult union
        first = _arm("searchPackages.firstPage", first, "PackagesSearchResultSetPage")
    return _page(first, result_set["total"])


def parse_search_more_packages(data: Data) -> SearchPage:
    return _page(_arm("searchMorePackages", data["searchMorePackages"], "PackagesSearchResultSetPage"), None)


def parse_package_construct(data: Data) -> Pushed:
    success = _arm("packageConstruct", data["packageConstruct"], "PackagePushSuccess")
    revision = success["revision"]
    return Pushed(
        success["package"]["name"],
        revision["hash"],
        revision["modified"],
        revision.get("totalEntries"),
        revision.get("totalBytes"),
    )


def parse_package_revision_delete(data: Data) -> None:
    _arm("packageRevisionDelete", data["packageRevisionDelete"], "PackageRevisionDeleteSuccess")
