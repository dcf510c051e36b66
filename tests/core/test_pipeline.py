"""The call pipeline in ``QuiltOps``: every operation's arguments are checked once, before any backend code."""

from __future__ import annotations

import pytest
from quilt_mcp import capabilities as cap
from quilt_mcp.errors import InvalidInputError, NotSupportedError
from quilt_mcp.models import BucketInfo, EntrySource, PackageSummary, Page
from quilt_mcp.ops import OPERATIONS, QuiltOps, unimplemented
from quilt_mcp.uris import RegistryLocation
from quilt_mcp_conformance.suite.capabilities import minimal_arguments
from quilt_mcp_conformance.suite.pipeline import BAD_CALLS, recording


class Listing(QuiltOps):
    """A backend of two operations: it lists buckets and package names, and records what reached it."""

    backend_name = "listing"

    def __init__(self, capabilities: frozenset[str] = cap.ALL) -> None:
        self.capabilities = capabilities
        self.seen: list[tuple] = []

    def _list_buckets(self) -> list[BucketInfo]:
        return [BucketInfo(uri="s3://one", source="s3")]

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str, cursor: str | None, limit: int
    ) -> Page[PackageSummary]:
        self.seen.append((registry, prefix, cursor, limit))
        return Page(items=[PackageSummary(name="team/a", registry=registry.uri)])


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_each_bad_argument_gets_the_pipelines_message(case):
    call, message = BAD_CALLS[case]
    watched, calls = recording(Listing())
    with pytest.raises(InvalidInputError, match=message) as caught:
        call(watched, "s3://registry-bucket")
    assert caught.value.hint
    assert calls == []


def test_every_operation_has_at_least_one_bad_call():
    assert {case.split("/")[0] for case in BAD_CALLS} == set(OPERATIONS) - {"list_buckets"}


def test_backends_receive_the_parsed_registry_and_checked_values():
    ops = Listing()
    ops.list_packages(" s3://registry-bucket/ ", prefix="team", limit=7)
    assert ops.seen == [(RegistryLocation("s3", bucket="registry-bucket"), "team", None, 7)]


def test_a_missing_capability_is_refused_before_the_backend_runs():
    watched, calls = recording(Listing(frozenset({cap.BUCKETS})))
    for operation, capability in OPERATIONS.items():
        if capability == cap.BUCKETS:
            continue
        with pytest.raises(NotSupportedError) as caught:
            getattr(watched, operation)(*minimal_arguments(operation, "s3://registry-bucket"))
        assert caught.value.capability == capability, operation
        assert f"lacks the '{capability}' capability" in caught.value.message
    assert calls == []


def test_a_local_registry_needs_the_local_registry_capability(tmp_path):
    ops = Listing(cap.ALL - {cap.LOCAL_REGISTRY})
    with pytest.raises(NotSupportedError, match="use a local directory as a registry") as caught:
        ops.list_packages(str(tmp_path))
    assert caught.value.capability == cap.LOCAL_REGISTRY
    assert Listing().list_packages(str(tmp_path)).items[0].registry == tmp_path.as_uri()


def test_local_sources_need_a_local_registry():
    with pytest.raises(InvalidInputError, match="can only go into a local registry"):
        Listing().create_revision("s3://registry-bucket", "team/a", [EntrySource(logical_key="k", source="/etc/x")])


def test_a_declared_capability_without_its_operations_is_reported():
    assert unimplemented(Listing, frozenset({cap.BUCKETS})) == ["list_objects", "object_info", "read_object"]
    assert unimplemented(Listing, frozenset()) == []


@pytest.mark.parametrize("where", ["text", "message", "meta key", "meta value"])
def test_unpaired_surrogates_are_refused_before_anything_is_written(where):
    bad = "x\ud800"
    entry = EntrySource(logical_key="k", text=bad if where == "text" else "t")
    meta = {bad: 1} if where == "meta key" else {"k": [bad]} if where == "meta value" else None
    with pytest.raises(InvalidInputError, match="surrogate"):
        Listing().create_revision("s3://registry-bucket", "team/a", [entry], message=bad if where == "message" else None,
                                  user_meta=meta)  # fmt: skip


class Paging(Listing):
    """A backend whose package listing always has a next page, resumed by its own cursor ``"after:a"``."""

    def _list_packages(
        self, registry: RegistryLocation, *, prefix: str, cursor: str | None, limit: int
    ) -> Page[PackageSummary]:
        self.seen.append(cursor)
        return Page(items=[PackageSummary(name="team/a", registry=registry.uri)], next_cursor="after:a")


def test_backends_receive_only_their_own_cursors_of_the_same_listing():
    ops = Paging()
    handed_out = ops.list_packages("s3://registry-bucket", prefix="team").next_cursor
    assert handed_out not in (None, "after:a")

    ops.list_packages("s3://registry-bucket", prefix="team", cursor=handed_out)
    for elsewhere in ({"registry": "s3://other-bucket", "prefix": "team"}, {"registry": "s3://registry-bucket"}):
        with pytest.raises(InvalidInputError, match="another listing"):
            ops.list_packages(**elsewhere, cursor=handed_out)
    with pytest.raises(InvalidInputError, match="Invalid cursor"):
        ops.list_packages("s3://registry-bucket", prefix="team", cursor="after:a")
    assert ops.seen == [None, "after:a"]
