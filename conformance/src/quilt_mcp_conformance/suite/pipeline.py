"""The call pipeline stands in front of every backend: refused arguments never reach backend code."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from quilt_mcp.errors import InvalidInputError, NotSupportedError
from quilt_mcp.models import EntrySource
from quilt_mcp.ops import OPERATIONS, QuiltOps

from quilt_mcp_conformance.suite.support import refused

PKG = "conformance/probe"

Call = Callable[[QuiltOps, str], Any]


def _text(key: str, **extra: Any) -> EntrySource:
    return EntrySource(logical_key=key, text="x", **extra)


BAD_CALLS: dict[str, tuple[Call, str]] = {
    "list_packages/limit 0": (lambda o, r: o.list_packages(r, limit=0), "between 1 and 1000"),
    "list_packages/prefix not text": (lambda o, r: o.list_packages(r, prefix=3), "prefix must be a string"),
    "list_packages/ftp registry": (lambda o, r: o.list_packages("ftp://host/x"), "Unsupported registry"),
    "list_revisions/bad name": (lambda o, r: o.list_revisions(r, "no-slash"), "Invalid package name"),
    "list_revisions/limit 1001": (lambda o, r: o.list_revisions(r, PKG, limit=1001), "between 1 and 1000"),
    "resolve_revision/short ref": (lambda o, r: o.resolve_revision(r, PKG, "abc12"), "Invalid revision"),
    "package_info/non-hex ref": (lambda o, r: o.package_info(r, PKG, "xyz123"), "Invalid revision"),
    "browse/dot-dot path": (lambda o, r: o.browse(r, PKG, path="a/../b/"), "Invalid logical key"),
    "browse/limit true": (lambda o, r: o.browse(r, PKG, limit=True), "between 1 and 1000"),
    "entry_info/empty segment": (lambda o, r: o.entry_info(r, PKG, "a//b"), "Invalid logical key"),
    "entry_info/key too long": (lambda o, r: o.entry_info(r, PKG, "k" * 1025), "longer than 1024 bytes"),
    "read_entry/negative offset": (lambda o, r: o.read_entry(r, PKG, "k", offset=-1), "offset must be"),
    "read_entry/offset 2**63": (lambda o, r: o.read_entry(r, PKG, "k", offset=2**63), "offset must be"),
    "read_entry/max_bytes 0": (lambda o, r: o.read_entry(r, PKG, "k", max_bytes=0), "max_bytes must be"),
    "read_entry/bad mode": (lambda o, r: o.read_entry(r, PKG, "k", mode="hex"), "Invalid mode"),
    "entry_url/expires_in 0": (lambda o, r: o.entry_url(r, PKG, "k", expires_in=0), "expires_in must be"),
    "entry_url/expires_in 8 days": (lambda o, r: o.entry_url(r, PKG, "k", expires_in=8 * 86400), "expires_in"),
    "diff/bad ref": (lambda o, r: o.diff(r, PKG, "head"), "Invalid revision"),
    "diff/limit 0": (lambda o, r: o.diff(r, PKG, "latest", limit=0), "between 1 and 1000"),
    "search_packages/blank query": (lambda o, r: o.search_packages(r, "  "), "query is empty"),
    "create_revision/no source": (
        lambda o, r: o.create_revision(r, PKG, [EntrySource(logical_key="k")]),
        "exactly one of 'source' and 'text'",
    ),
    "create_revision/source and text": (
        lambda o, r: o.create_revision(r, PKG, [_text("k", source="s3://b/k")]),
        "exactly one of 'source' and 'text'",
    ),
    "create_revision/key twice": (
        lambda o, r: o.create_revision(r, PKG, [_text("k"), _text("k")]),
        "given twice",
    ),
    "create_revision/bad key": (lambda o, r: o.create_revision(r, PKG, [_text("/abs")]), "Invalid logical key"),
    "create_revision/prefix with version": (
        lambda o, r: o.create_revision(r, PKG, [EntrySource(logical_key="d/", source="s3://bkt/p/?versionId=1")]),
        "cannot have a versionId",
    ),
    "create_revision/http source": (
        lambda o, r: o.create_revision(r, PKG, [EntrySource(logical_key="k", source="https://x/y")]),
        "Unsupported source",
    ),
    "create_revision/bad base_hash": (
        lambda o, r: o.create_revision(r, PKG, [_text("k")], base_hash="nothex"),
        "Invalid revision",
    ),
    "update_revision/bad meta_mode": (lambda o, r: o.update_revision(r, PKG, meta_mode="mix"), "Invalid meta_mode"),
    "update_revision/remove root": (lambda o, r: o.update_revision(r, PKG, remove=["/"]), "package root"),
    "update_revision/remove dot-dot": (lambda o, r: o.update_revision(r, PKG, remove=["a/../b"]), "Invalid logical"),
    "update_revision/bad add": (
        lambda o, r: o.update_revision(r, PKG, add=[EntrySource(logical_key="k")]),
        "exactly one of 'source' and 'text'",
    ),
    "delete_revision/bad ref": (lambda o, r: o.delete_revision(r, PKG, "nothex"), "Invalid revision"),
    "delete_package/bad name": (lambda o, r: o.delete_package(r, "a/b/c"), "Invalid package name"),
    "list_objects/versioned prefix": (
        lambda o, r: o.list_objects("s3://bkt/p/?versionId=1"),
        "names an object version",
    ),
    "list_objects/limit 0": (lambda o, r: o.list_objects("s3://bkt/", limit=0), "between 1 and 1000"),
    "object_info/no key": (lambda o, r: o.object_info("s3://bkt"), "No object key"),
    "read_object/negative offset": (lambda o, r: o.read_object("s3://bkt/k", offset=-1), "offset must be"),
}
"""One badly called operation per case, and what the pipeline's message says (same for every backend)."""


def recording(ops: QuiltOps) -> tuple[QuiltOps, list[str]]:
    """``ops`` as an instance of a subclass of its own class that records every backend (``_``-method) call."""
    calls: list[str] = []
    cls = type(ops)

    def recorder(operation: str) -> Callable[..., Any]:
        implementation = getattr(cls, f"_{operation}")

        def record(self: QuiltOps, *args: Any, **kwargs: Any) -> Any:
            calls.append(operation)
            return implementation(self, *args, **kwargs)

        return record

    subclass = type(f"Recording{cls.__name__}", (cls,), {f"_{op}": recorder(op) for op in OPERATIONS})
    watched = copy.copy(ops)
    watched.__class__ = subclass
    return watched, calls


class PipelineSuite:
    """Arguments the core's pipeline refuses never reach the backend, whatever its capabilities."""

    def test_refused_arguments_never_reach_the_backend(self, ops: QuiltOps, registry: str) -> None:
        watched, calls = recording(ops)
        for case, (call, _message) in BAD_CALLS.items():
            with refused(InvalidInputError, NotSupportedError):
                call(watched, registry)
            assert calls == [], f"{case}: the backend was reached"

    def test_well_formed_calls_do_reach_the_backend(self, ops: QuiltOps, registry: str) -> None:
        """The recording sees real calls, so the test above can fail."""
        watched, calls = recording(ops)
        try:
            watched.list_buckets()
        except NotSupportedError:
            watched.list_packages(registry)
        assert calls[:1] in (["list_buckets"], ["list_packages"])
