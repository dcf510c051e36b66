"""Fixtures for the platform backend's own tests: the tiny catalog on loopback, one per schema version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_platform.graphql.client import CatalogClient

from tests.platform.tiny_catalog import TOKEN, Faults, serve


@pytest.fixture(scope="session")
def sts(infra: Infrastructure) -> Any:
    return boto3.client("sts", endpoint_url=infra.s3_endpoint, region_name=infra.env["AWS_DEFAULT_REGION"])


@pytest.fixture(scope="session")
def _catalogs(sts: Any) -> Iterator[dict[str, tuple[str, Faults]]]:
    with serve("current", sts) as current, serve("previous", sts) as previous:
        yield {"current": current, "previous": previous}


@pytest.fixture
def catalog(_catalogs: dict[str, tuple[str, Faults]]) -> Iterator[tuple[str, Faults]]:
    """``(registry url, faults)`` of the tiny catalog on the current schema, faults reset after the test."""
    yield _catalogs["current"]
    _reset(_catalogs["current"][1])


@pytest.fixture
def previous_catalog(_catalogs: dict[str, tuple[str, Faults]]) -> Iterator[tuple[str, Faults]]:
    """The same on the previous (quilt3 8.0.0) schema."""
    yield _catalogs["previous"]
    _reset(_catalogs["previous"][1])


def _reset(faults: Faults) -> None:
    fresh = Faults()
    faults.latency, faults.fail, faults.credential_lifetime = fresh.latency, fresh.fail, fresh.credential_lifetime
    faults.requests.clear()


@pytest.fixture
def client(catalog: tuple[str, Faults]) -> Iterator[CatalogClient]:
    with CatalogClient(catalog[0], TOKEN) as c:
        yield c
