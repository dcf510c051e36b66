"""Listing package names takes about as few S3 LIST calls as the better of the two ways the layout allows.

Recursive: every pointer key, a page per call (ceil(pointers / page)). Delimited:
namespaces, then the names of each (namespaces + 1). The backend lists with a
page of 20 keys here, so a few hundred pointer files show the difference.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam.ops import IamOps

from .support import recorded

PAGE = 20
NAMED = ".quilt/named_packages/"
TOP_HASH = "0" * 64


@pytest.fixture
def small_pages(s3_client: Any) -> IamOps:
    """The iam backend listing ``PAGE`` keys per LIST call."""
    return IamOps(lambda: s3_client, list_page=PAGE)


def write_registry(infra: Infrastructure, namespaces: int, packages: int, pointers: int) -> tuple[str, list[str], int]:
    """A bucket of ``namespaces`` x ``packages`` packages with ``pointers`` pointer files each (``latest`` one of them).

    Returns the registry, the package names and the number of pointer files.
    """
    bucket = infra.new_bucket(versioned=False)
    names = [f"ns{n:02d}/pkg-{i:02d}" for n in range(namespaces) for i in range(packages)]
    stamps = [str(1_700_000_000 + i) for i in range(pointers - 1)] + ["latest"]
    keys = [f"{NAMED}{name}/{stamp}" for name in names for stamp in stamps]
    s3 = infra.s3_client()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=TOP_HASH.encode()), keys))
    return f"s3://{bucket}", names, len(keys)


def every_page(ops: IamOps, registry: str, limit: int, **kwargs: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        page = ops.list_packages(registry, cursor=cursor, limit=limit, **kwargs)
        pages.append([p.name for p in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize(
    ("namespaces", "packages", "pointers", "cheaper"),
    [
        pytest.param(30, 4, 2, "recursive", id="many-namespaces-few-revisions"),
        pytest.param(3, 8, 10, "delimited", id="few-namespaces-many-revisions"),
    ],
)
def test_listing_takes_about_the_calls_of_the_cheaper_way(
    small_pages: IamOps, infra: Infrastructure, namespaces: int, packages: int, pointers: int, cheaper: str
) -> None:
    registry, names, count = write_registry(infra, namespaces, packages, pointers)
    with recorded(small_pages.s3_client, "ListObjectsV2", registry[5:]) as calls:
        pages = every_page(small_pages, registry, limit=1000)
    assert pages == [sorted(names)]
    costs = {"recursive": math.ceil(count / PAGE), "delimited": namespaces + 1}
    assert costs[cheaper] < max(costs.values()) / 2  # the two ways differ enough to tell apart
    assert len(calls) <= costs[cheaper] + 2, calls


def test_later_pages_list_on_from_the_cursor_and_never_again_what_came_before(
    small_pages: IamOps, infra: Infrastructure
) -> None:
    registry, names, pointers = write_registry(infra, namespaces=30, packages=4, pointers=2)
    first = small_pages.list_packages(registry, limit=30)
    taken = [p.name for p in first.items]
    # Three calls list 30 names, but 'ns07/pkg-00' and '-01' sort after 'ns07/pkg', which a fourth
    # call could still list: the page ends before them rather than make that call.
    assert taken == sorted(names)[:28] and first.next_cursor
    with recorded(small_pages.s3_client, "ListObjectsV2", registry[5:]) as calls:
        second = small_pages.list_packages(registry, cursor=first.next_cursor, limit=30)
    assert [p.name for p in second.items] == sorted(names)[28:56]
    past_first = f"{NAMED}{taken[-1]}/~"
    assert all(c.get("StartAfter", "") > past_first for c in calls), calls  # past its pointers too
    assert len(calls) == 30 * 2 // PAGE

    with recorded(small_pages.s3_client, "ListObjectsV2", registry[5:]) as calls:
        pages = every_page(small_pages, registry, limit=30)
    assert [n for page in pages for n in page] == sorted(names)
    assert len(calls) <= math.ceil(pointers / PAGE) + 1, calls


def test_a_prefix_naming_a_namespace_lists_only_its_matching_names(
    small_pages: IamOps, infra: Infrastructure
) -> None:
    registry, names, _ = write_registry(infra, namespaces=3, packages=30, pointers=3)
    with recorded(small_pages.s3_client, "ListObjectsV2", registry[5:]) as calls:
        listed = [p.name for p in small_pages.list_packages(registry, prefix="ns01/pkg-1").items]
    assert listed == [n for n in names if n.startswith("ns01/pkg-1")]
    assert calls == [{"Bucket": registry[5:], "Prefix": f"{NAMED}ns01/pkg-1", "Delimiter": "/", "MaxKeys": PAGE}]


# Key order is not name order ('a-b/' < 'a/' but 'a' < 'a-b'), and packages differ in revisions,
# so the listing switches between its two ways and jumps past pointers on the way.
TRICKY = {"t/a": 5, "t/a-b": 1, "t/a-b-c": 7, "t/a0": 2, "t/a_b": 1, "t/ab": 9, "t/b-": 1, "t/b": 4, "t-x/a": 3}
TRICKY |= {f"u/p{i}": 1 for i in range(12)} | {f"w{i}/q": 6 for i in range(4)}


@pytest.mark.parametrize("page_size", [1, 2, 3, 7])
def test_names_come_out_once_each_in_name_order_whatever_the_page_sizes(
    s3_client: Any, infra: Infrastructure, page_size: int
) -> None:
    bucket = infra.new_bucket(versioned=False)
    for name, count in TRICKY.items():
        for stamp in [str(1_700_000_000 + i) for i in range(count - 1)] + ["latest"]:
            s3_client.put_object(Bucket=bucket, Key=f"{NAMED}{name}/{stamp}", Body=TOP_HASH.encode())
    ops = IamOps(lambda: s3_client, list_page=page_size)
    for limit in (1, 2, 5, 1000):
        pages = every_page(ops, f"s3://{bucket}", limit)
        assert [n for page in pages for n in page] == sorted(TRICKY), (limit, pages)
    assert [p.name for p in ops.list_packages(f"s3://{bucket}", prefix="t/a-").items] == ["t/a-b", "t/a-b-c"]
    assert [p.name for p in ops.list_packages(f"s3://{bucket}", prefix="t").items] == sorted(
        n for n in TRICKY if n.startswith("t")
    )


def test_a_page_of_dashed_names_does_not_wait_for_the_whole_namespace(
    small_pages: IamOps, infra: Infrastructure
) -> None:
    """'team/x-000' ... 'team/x-199' all sort after 'team/x', which S3 would list after all of them."""
    bucket = infra.new_bucket(versioned=False)
    names = ["team/x"] + [f"team/x-{i:03d}" for i in range(200)]
    s3 = infra.s3_client()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: s3.put_object(Bucket=bucket, Key=f"{NAMED}{n}/latest", Body=b"0" * 64), names))
    with recorded(small_pages.s3_client, "ListObjectsV2", bucket) as calls:
        page = small_pages.list_packages(f"s3://{bucket}", limit=10)
    assert [p.name for p in page.items] == names[:10]
    assert len(calls) <= 3, calls  # two pages of keys, then one look for 'team/x' itself
    assert [n for p in every_page(small_pages, f"s3://{bucket}", 1000) for n in p] == names
