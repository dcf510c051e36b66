"""Fixtures for the reference catalog's own tests.

One catalog subprocess per xdist worker and schema version (``catalogs``,
session scope, started on first use). Its users:

- ``alice``: role ``team-a``, bucket ``world.bucket_a``;
- ``bob``: role ``team-b``, bucket ``world.bucket_b``.

``world`` holds packages written by the real quilt3 in this process, so
the catalog's answers can be compared with quilt3's own view.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from quilt_mcp_conformance.catalog import VERSIONS, ReferenceCatalog
from quilt_mcp_conformance.harness import Infrastructure

USERS = {"alice": "team-a", "bob": "team-b"}


@dataclass
class World:
    """Buckets and packages every catalog of this worker serves."""

    bucket_a: str
    bucket_b: str
    source: str
    hashes: dict[str, list[str]] = field(default_factory=dict)


def _push(name: str, bucket: str, files: dict[str, bytes], source: str, s3: Any, **kw: Any) -> str:
    import quilt3

    pkg = quilt3.Package()
    for key, body in files.items():
        s3.put_object(Bucket=source, Key=f"{name}/{key}", Body=body)
        pkg.set(key, f"s3://{source}/{name}/{key}")
    if "meta" in kw:
        pkg.set_meta(kw.pop("meta"))
    return pkg.push(name, registry=f"s3://{bucket}", selector_fn=lambda *_: False, force=True, **kw).top_hash


@pytest.fixture(scope="session")
def world(infra: Infrastructure) -> World:
    """Two registries (one per role) and a source bucket, with packages pushed by quilt3."""
    import time

    s3 = infra.s3_client()
    found = World(bucket_a=infra.new_bucket(), bucket_b=infra.new_bucket(), source=infra.new_bucket())
    first = _push("team/alpha", found.bucket_a, {"a.txt": b"one", "dir/b.csv": b"x,y\n1,2\n"}, found.source, s3, message="first alpha")
    time.sleep(1.1)  # revision pointers are named by unix second
    second = _push(
        "team/alpha",
        found.bucket_a,
        {"a.txt": b"one two", "dir/b.csv": b"x,y\n1,2\n", "dir/sub/c.json": b"{}"},
        found.source,
        s3,
        message="second alpha",
        meta={"project": "zebra", "n": 3},
    )
    beta = _push("team/beta", found.bucket_a, {"readme.md": b"# beta"}, found.source, s3, message="beta zebra notes")
    secret = _push("other/secret", found.bucket_b, {"s.txt": b"secret zebra"}, found.source, s3, message="zebra")
    found.hashes = {"team/alpha": [second, first], "team/beta": [beta], "other/secret": [secret]}
    return found


@pytest.fixture(scope="session")
def catalogs(infra: Infrastructure, world: World) -> Iterator[dict[str, ReferenceCatalog]]:
    """Started catalogs by schema version, each started on first use and stopped at session end."""
    started: dict[str, ReferenceCatalog] = {}

    class Lazy(dict):
        def __missing__(self, version: str) -> ReferenceCatalog:
            catalog = ReferenceCatalog.start(
                infra.s3_endpoint,
                infra.env,
                version,
                roles={"team-a": [world.bucket_a, world.source], "team-b": [world.bucket_b]},
                users=USERS,
            )
            started[version] = self[version] = catalog
            return catalog

    yield Lazy()
    for catalog in started.values():
        catalog.stop()


@pytest.fixture(params=VERSIONS)
def catalog(request: pytest.FixtureRequest, catalogs: dict[str, ReferenceCatalog]) -> Iterator[ReferenceCatalog]:
    """The catalog of each schema version, faults cleared after the test."""
    found = catalogs[request.param]
    yield found
    found.set_faults()


@pytest.fixture
def current(catalogs: dict[str, ReferenceCatalog]) -> Iterator[ReferenceCatalog]:
    """The catalog on the current schema only (for tests whose answer does not depend on the version)."""
    found = catalogs["current"]
    yield found
    found.set_faults()
