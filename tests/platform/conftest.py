"""Fixtures for the platform backend's own tests: the reference catalog, one per schema version and worker.

Each catalog (started on first use, stopped at session end) knows one user,
``ada`` (role ``ReadWrite``), whose role grants ``world.bucket`` (a registry)
and ``world.source`` (the objects its packages reference) but not
``world.outside``. The registry holds ``team/data`` and ``team/data-more``,
pushed through the first catalog started. Faults are cleared after each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from quilt_mcp_conformance.catalog import ReferenceCatalog
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_platform.graphql import operations, results
from quilt_mcp_platform.graphql.client import CatalogClient

USER, ROLE = "ada", "ReadWrite"
PACKAGES = {"team/data": "first data", "team/data-more": "more data"}
"""The seeded packages and their commit messages (a search for ``data`` finds both)."""


@dataclass(frozen=True)
class World:
    """The buckets every catalog of this worker serves."""

    bucket: str
    source: str
    outside: str


@dataclass(frozen=True)
class Site:
    """A running reference catalog and a ``qk_`` API key of ``ada`` there."""

    catalog: ReferenceCatalog
    key: str
    world: World

    @property
    def url(self) -> str:
        return self.catalog.url


@pytest.fixture(scope="session")
def world(infra: Infrastructure) -> World:
    found = World(bucket=infra.new_bucket(), source=infra.new_bucket(), outside=infra.new_bucket())
    s3 = infra.s3_client()
    for name in PACKAGES:
        s3.put_object(Bucket=found.source, Key=f"{name}/a.txt", Body=name.encode())
    return found


def _seed(site: Site) -> None:
    with CatalogClient(site.url, site.key) as client:
        for name, message in PACKAGES.items():
            entry = {"logicalKey": "a.txt", "physicalKey": f"s3://{site.world.source}/{name}/a.txt"}
            request = operations.package_construct(site.world.bucket, name, [entry], message=message)
            results.parse_package_construct(client.execute(request))


@pytest.fixture(scope="session")
def _sites(infra: Infrastructure, world: World) -> Iterator[dict[str, Site]]:
    started: dict[str, Site] = {}

    class Lazy(dict[str, Site]):
        def __missing__(self, version: str) -> Site:
            catalog = ReferenceCatalog.start(
                infra.s3_endpoint,
                infra.env,
                version,
                roles={ROLE: [world.bucket, world.source]},
                users={USER: ROLE},
            )
            site = Site(catalog, catalog.api_key_for(USER), world)
            if not started:
                _seed(site)
            started[version] = self[version] = site
            return site

    yield Lazy()
    for site in started.values():
        site.catalog.stop()


@pytest.fixture
def catalog(_sites: dict[str, Site]) -> Iterator[Site]:
    """The reference catalog on the current schema, faults cleared after the test."""
    site = _sites["current"]
    yield site
    site.catalog.set_faults()


@pytest.fixture
def previous_catalog(_sites: dict[str, Site]) -> Iterator[Site]:
    """The same on the previous (quilt3 8.0.0) schema."""
    site = _sites["previous"]
    yield site
    site.catalog.set_faults()


@pytest.fixture
def client(catalog: Site) -> Iterator[CatalogClient]:
    with CatalogClient(catalog.url, catalog.key) as c:
        yield c
