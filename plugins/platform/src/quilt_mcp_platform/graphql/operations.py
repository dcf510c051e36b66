"""Every GraphQL operation the platform backend sends, built with sgqlc on the generated schema.

Each public function returns a ``GraphQLRequest``: the operation's document
(built once per process and cached), its variables, and whether it only
reads (a query, safe to retry). Arguments go in as variables, never spliced
into the text. Selections on unions ask for every arm the backend handles;
``results`` has one parse function per result type.

Catalogs serve one of two schema versions (``SchemaVersion``). They differ in
one place the backend uses: ``PackagesSearchResultSet.firstPage`` takes
``order: SearchResultOrder`` and returns a plain page in the older
(quilt3 8.0.0) version, ``ordering: PackageOrdering`` and a
``PackagesFirstPageResult`` union in the current one. The generated module
follows the current schema; the older shape of that one field is declared
by hand in ``previous``, and ``tests/platform/test_operations.py`` validates
it, like every other operation, against the carried schema text of both versions.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sgqlc.operation import Operation
from sgqlc.types import Variable, list_of, non_null

from quilt_mcp_platform.graphql import previous
from quilt_mcp_platform.graphql import schema as s


class SchemaVersion(enum.Enum):
    """The catalog schema versions the backend speaks (those ``quilt_mcp_conformance.catalog.schemas`` carries)."""

    CURRENT = "current"
    PREVIOUS = "previous"


@dataclass(frozen=True)
class GraphQLRequest:
    """One operation ready to POST: ``{"query": document, "variables": variables, "operationName": name}``."""

    name: str
    document: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    read_only: bool = True

    def payload(self) -> dict[str, Any]:
        """The JSON body of the HTTP request."""
        return {"query": self.document, "variables": dict(self.variables), "operationName": self.name}


# --- selections shared by several operations ------------------------------------------------------


def _select_problems(union: Any) -> None:
    """The error arms every result union of the catalog has."""
    errors = union.__as__(s.InvalidInput).errors()
    errors.path(), errors.message(), errors.name()
    problem = union.__as__(s.OperationError)
    problem.message(), problem.name()


def _select_page(page: Any) -> None:
    page.cursor()
    hit = page.hits()
    for name in ("id", "score", "bucket", "name", "pointer", "hash", "size", "modified"):
        getattr(hit, name)()
    hit.total_entries_count(), hit.comment(), hit.meta(), hit.workflow()


def _select_revision(revision: Any) -> None:
    revision.hash(), revision.modified(), revision.message()
    revision.user_meta(), revision.metadata()
    workflow = revision.workflow()
    workflow.config(), workflow.id()
    revision.total_entries(), revision.total_bytes()


def _select_file(entry: Any) -> None:
    entry.path(), entry.size(), entry.physical_key(), entry.metadata()


_REVISION_VARIABLES = {"bucket": non_null(str), "name": non_null(str), "hashOrTag": non_null(str)}


def _revision(op: Operation) -> Any:
    package = op.package(bucket=Variable("bucket"), name=Variable("name"))
    return package.revision(hash_or_tag=Variable("hashOrTag"))


# --- documents, built once ------------------------------------------------------------------------


def _document(build: Callable[[], Operation]) -> Callable[[], str]:
    return cache(lambda: str(build()))


def _me() -> Operation:
    op = Operation(s.Query, name="Me")
    me = op.me()
    me.name(), me.email(), me.is_admin(), me.role().name()
    return op


def _bucket_configs() -> Operation:
    op = Operation(s.Query, name="BucketConfigs")
    config = op.bucket_configs()
    config.name(), config.title(), config.description(), config.browsable()
    return op


def _buckets() -> Operation:
    op = Operation(s.Query, name="Buckets")
    bucket = op.buckets()
    bucket.name(), bucket.title(), bucket.description(), bucket.browsable()
    return op


def _packages() -> Operation:
    variables = {"bucket": non_null(str), "filter": str, "number": int, "perPage": int, "order": s.PackageListOrder}
    op = Operation(s.Query, name="Packages", variables=variables)
    packages = op.packages(bucket=Variable("bucket"), filter=Variable("filter"))
    packages.total()
    page = packages.page(number=Variable("number"), per_page=Variable("perPage"), order=Variable("order"))
    page.bucket(), page.name(), page.modified()
    return op


def _revisions() -> Operation:
    variables = {"bucket": non_null(str), "name": non_null(str), "number": int, "perPage": int}
    op = Operation(s.Query, name="PackageRevisions", variables=variables)
    package = op.package(bucket=Variable("bucket"), name=Variable("name"))
    package.modified()
    revisions = package.revisions()
    revisions.total()
    page = revisions.page(number=Variable("number"), per_page=Variable("perPage"))
    page.hash(), page.modified()  # no message: it would make the catalog read every listed manifest
    return op


def _revision_info() -> Operation:
    op = Operation(s.Query, name="Revision", variables=_REVISION_VARIABLES)
    _select_revision(_revision(op))
    return op


def _revision_hash() -> Operation:
    op = Operation(s.Query, name="RevisionHash", variables=_REVISION_VARIABLES)
    revision = _revision(op)
    revision.hash(), revision.modified()
    return op


def _revision_dir() -> Operation:
    op = Operation(s.Query, name="RevisionDir", variables={**_REVISION_VARIABLES, "path": non_null(str)})
    revision = _revision(op)
    revision.hash()
    directory = revision.dir(path=Variable("path"))
    directory.path(), directory.size(), directory.metadata()
    children = directory.children()
    _select_file(children.__as__(s.PackageFile))
    child_dir = children.__as__(s.PackageDir)
    child_dir.path(), child_dir.size()
    return op


def _revision_file() -> Operation:
    op = Operation(s.Query, name="RevisionFile", variables={**_REVISION_VARIABLES, "path": non_null(str)})
    revision = _revision(op)
    revision.hash()
    _select_file(revision.file(path=Variable("path")))
    return op


def _revision_contents() -> Operation:
    op = Operation(s.Query, name="RevisionContents", variables={**_REVISION_VARIABLES, "max": int})
    revision = _revision(op)
    revision.hash(), revision.total_entries()
    revision.contents_flat_map(max=Variable("max"))
    return op


_SEARCH_VARIABLES = {"buckets": list_of(non_null(str)), "searchString": str, "latestOnly": non_null(bool), "size": int}


def _search_packages_current() -> Operation:
    op = Operation(s.Query, name="SearchPackages", variables={**_SEARCH_VARIABLES, "ordering": s.PackageOrdering})
    result = op.search_packages(
        buckets=Variable("buckets"), search_string=Variable("searchString"), latest_only=Variable("latestOnly")
    )
    result_set = result.__as__(s.PackagesSearchResultSet)
    result_set.total()
    first = result_set.first_page(size=Variable("size"), ordering=Variable("ordering"))
    _select_page(first.__as__(s.PackagesSearchResultSetPage))
    _select_problems(first)
    result.__as__(s.EmptySearchResultSet)._()
    _select_problems(result)
    return op


def _search_packages_previous() -> Operation:
    op = Operation(previous.Query, name="SearchPackages", variables={**_SEARCH_VARIABLES, "order": s.SearchResultOrder})
    result = op.search_packages(
        buckets=Variable("buckets"), search_string=Variable("searchString"), latest_only=Variable("latestOnly")
    )
    result_set = result.__as__(previous.PackagesSearchResultSet)
    result_set.total()
    _select_page(result_set.first_page(size=Variable("size"), order=Variable("order")))
    result.__as__(s.EmptySearchResultSet)._()
    _select_problems(result)
    return op


def _search_more_packages() -> Operation:
    op = Operation(s.Query, name="SearchMorePackages", variables={"after": non_null(str), "size": int})
    result = op.search_more_packages(after=Variable("after"), size=Variable("size"))
    _select_page(result.__as__(s.PackagesSearchResultSetPage))
    _select_problems(result)
    return op


def _package_construct() -> Operation:
    variables = {"params": non_null(s.PackagePushParams), "src": non_null(s.PackageConstructSource)}
    op = Operation(s.Mutation, name="PackageConstruct", variables=variables)
    result = op.package_construct(params=Variable("params"), src=Variable("src"))
    success = result.__as__(s.PackagePushSuccess)
    success.package().name()
    revision = success.revision()
    revision.hash(), revision.modified(), revision.total_entries(), revision.total_bytes()
    _select_problems(result)
    return op


def _package_revision_delete() -> Operation:
    variables = {"bucket": non_null(str), "name": non_null(str), "hash": non_null(str)}
    op = Operation(s.Mutation, name="PackageRevisionDelete", variables=variables)
    result = op.package_revision_delete(bucket=Variable("bucket"), name=Variable("name"), hash=Variable("hash"))
    result.__as__(s.PackageRevisionDeleteSuccess)._()
    problem = result.__as__(s.OperationError)
    problem.message(), problem.name()
    return op


DOCUMENTS: Mapping[str, Callable[[], str]] = {
    "me": _document(_me),
    "bucket_configs": _document(_bucket_configs),
    "buckets": _document(_buckets),
    "packages": _document(_packages),
    "package_revisions": _document(_revisions),
    "revision": _document(_revision_info),
    "revision_hash": _document(_revision_hash),
    "revision_dir": _document(_revision_dir),
    "revision_file": _document(_revision_file),
    "revision_contents": _document(_revision_contents),
    "search_packages_current": _document(_search_packages_current),
    "search_packages_previous": _document(_search_packages_previous),
    "search_more_packages": _document(_search_more_packages),
    "package_construct": _document(_package_construct),
    "package_revision_delete": _document(_package_revision_delete),
}
"""Every document the backend sends, by key (what the schema-validation test walks)."""


def _request(key: str, name: str, variables: Mapping[str, Any] | None = None, read_only: bool = True) -> GraphQLRequest:
    """The request for document ``key``; variables that are ``None`` are left out (the schema's default applies)."""
    given = {k: v for k, v in (variables or {}).items() if v is not None}
    return GraphQLRequest(name, DOCUMENTS[key](), given, read_only)


# --- the public API: one function per operation ---------------------------------------------------


def me() -> GraphQLRequest:
    """Who the token belongs to: ``me { name email isAdmin role { name } }``."""
    return _request("me", "Me")


def bucket_configs() -> GraphQLRequest:
    """The buckets the catalog shows the user (``bucketConfigs``; present in both versions)."""
    return _request("bucket_configs", "BucketConfigs")


def buckets() -> GraphQLRequest:
    """The role-scoped buckets (``buckets``)."""
    return _request("buckets", "Buckets")


def packages(
    bucket: str, *, name_filter: str | None = None, number: int = 1, per_page: int = 30, order: str = "NAME"
) -> GraphQLRequest:
    """One page of a bucket's packages and their total.

    ``name_filter`` keeps the names that contain it; ``order`` is ``NAME`` or ``MODIFIED``.
    """
    return _request(
        "packages", "Packages", dict(bucket=bucket, filter=name_filter, number=number, perPage=per_page, order=order)
    )


def package_revisions(bucket: str, name: str, *, number: int = 1, per_page: int = 10) -> GraphQLRequest:
    """One page of a package's revisions (newest first) and their total."""
    return _request(
        "package_revisions", "PackageRevisions", dict(bucket=bucket, name=name, number=number, perPage=per_page)
    )


def revision(bucket: str, name: str, hash_or_tag: str = "latest") -> GraphQLRequest:
    """A revision's header: hash, modified, message, userMeta, metadata, workflow, totals."""
    return _request("revision", "Revision", dict(bucket=bucket, name=name, hashOrTag=hash_or_tag))


def revision_hash(bucket: str, name: str, hash_or_tag: str = "latest") -> GraphQLRequest:
    """Only the hash and time of a revision (the catalog need not read its manifest)."""
    return _request("revision_hash", "RevisionHash", dict(bucket=bucket, name=name, hashOrTag=hash_or_tag))


def revision_dir(bucket: str, name: str, hash_or_tag: str, path: str) -> GraphQLRequest:
    """The children of directory ``path`` ("" for the root) of a revision, files and directories."""
    return _request("revision_dir", "RevisionDir", dict(bucket=bucket, name=name, hashOrTag=hash_or_tag, path=path))


def revision_file(bucket: str, name: str, hash_or_tag: str, path: str) -> GraphQLRequest:
    """One file entry of a revision: its physical key, size and metadata."""
    return _request("revision_file", "RevisionFile", dict(bucket=bucket, name=name, hashOrTag=hash_or_tag, path=path))


def revision_contents(bucket: str, name: str, hash_or_tag: str, max_entries: int) -> GraphQLRequest:
    """Every entry of a revision as ``contentsFlatMap`` (null when it has more than ``max_entries``)."""
    return _request(
        "revision_contents", "RevisionContents", dict(bucket=bucket, name=name, hashOrTag=hash_or_tag, max=max_entries)
    )


def search_packages(
    version: SchemaVersion,
    search_string: str | None,
    *,
    buckets: Sequence[str] | None = None,
    latest_only: bool = False,
    size: int = 30,
    ordering: str | None = None,
) -> GraphQLRequest:
    """The first page of a package search in ``version``'s shape.

    ``ordering`` is a ``PackageOrdering`` expression (e.g. ``sys:modified:desc``)
    for the current version and a ``SearchResultOrder`` name (e.g. ``NEWEST``)
    for the previous one; ``None`` is relevance in both.
    """
    common: dict[str, Any] = {
        "buckets": list(buckets) if buckets is not None else None,
        "searchString": search_string,
        "latestOnly": latest_only,
        "size": size,
    }
    if version is SchemaVersion.CURRENT:
        return _request("search_packages_current", "SearchPackages", dict(ordering=ordering, **common))
    return _request("search_packages_previous", "SearchPackages", dict(order=ordering, **common))


def search_more_packages(after: str, *, size: int = 30) -> GraphQLRequest:
    """The page after cursor ``after`` of a package search (same shape in both versions)."""
    return _request("search_more_packages", "SearchMorePackages", dict(after=after, size=size))


def package_construct(
    bucket: str,
    name: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    message: str | None = None,
    user_meta: Mapping[str, Any] | None = None,
    workflow: str | None = None,
) -> GraphQLRequest:
    """Create a revision of ``name`` in ``bucket`` from ``entries``.

    Each entry is a ``PackageConstructEntry`` dict: ``logicalKey``, ``physicalKey``
    (``s3://`` only) and optionally ``hash`` (``{type, value}``), ``size``, ``meta``.
    """
    meta = dict(user_meta) if user_meta is not None else None
    given = {"bucket": bucket, "name": name, "message": message, "workflow": workflow, "userMeta": meta}
    params = {k: v for k, v in given.items() if v is not None}
    return _request(
        "package_construct", "PackageConstruct", dict(params=params, src={"entries": list(entries)}), read_only=False
    )


def package_revision_delete(bucket: str, name: str, top_hash: str) -> GraphQLRequest:
    """Delete one revision of a package (its manifest stays; its pointers go)."""
    return _request(
        "package_revision_delete",
        "PackageRevisionDelete",
        dict(bucket=bucket, name=name, hash=top_hash),
        read_only=False,
    )
