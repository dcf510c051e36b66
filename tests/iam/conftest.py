"""Fixtures for the iam backend's own tests: real moto S3 (the ``infra`` fixture) and real local directories."""

from __future__ import annotations

from typing import Any

import pytest

from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam.detect import AwsSpec
from quilt_mcp_iam.ops import IamOps


@pytest.fixture(scope="session")
def s3_client(infra: Infrastructure) -> Any:
    """One boto3 S3 client for this worker's moto S3, made as the backend makes it (clients are thread-safe)."""
    return AwsSpec.from_env(infra.env).s3_client_factory()()


@pytest.fixture
def ops(s3_client: Any) -> IamOps:
    """A fresh iam backend (empty manifest cache) talking to this worker's moto S3."""
    return IamOps(lambda: s3_client)


@pytest.fixture
def s3_registry(infra: Infrastructure) -> str:
    return f"s3://{infra.new_bucket()}"


@pytest.fixture
def local_registry(infra: Infrastructure) -> str:
    return infra.new_dir("registry").as_uri()


@pytest.fixture(params=["s3", "local"])
def registry(request: pytest.FixtureRequest, infra: Infrastructure) -> str:
    """A fresh registry: a versioned moto bucket, then a local directory."""
    if request.param == "s3":
        return f"s3://{infra.new_bucket()}"
    return infra.new_dir("registry").as_uri()


@pytest.fixture
def source_bucket(infra: Infrastructure) -> str:
    """A fresh versioned bucket for source objects."""
    return infra.new_bucket()
