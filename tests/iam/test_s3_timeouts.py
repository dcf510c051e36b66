"""A hung S3 endpoint ends every iam call with a clear error within the configured timeouts."""

from __future__ import annotations

import time

import pytest

from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.kit.s3timeouts import worst_case_seconds
from quilt_mcp.settings import Settings
from quilt_mcp_iam.detect import AwsSpec
from quilt_mcp_iam.ops import IamOps
from tests.hung_endpoint import hung_endpoint

SETTINGS = Settings(s3_connect_timeout=0.5, s3_read_timeout=0.5)


def test_a_hung_endpoint_ends_the_call_with_a_clear_error_within_the_timeouts() -> None:
    with hung_endpoint() as url:
        env = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL": url}
        ops = IamOps(AwsSpec.from_env(env).s3_client_factory(SETTINGS))
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError) as caught:
            ops.list_packages("s3://hung-bucket")
        elapsed = time.monotonic() - started
    assert "timeout" in str(caught.value).lower()
    assert "QUILT_MCP_S3_READ_TIMEOUT" in caught.value.hint
    # Bounded by the settings (botocore's defaults would keep this call for minutes).
    assert elapsed < worst_case_seconds(SETTINGS) + 5


def test_settings_read_timeouts_from_the_environment_and_refuse_nonsense() -> None:
    settings = Settings.from_env({"QUILT_MCP_S3_CONNECT_TIMEOUT": "2", "QUILT_MCP_S3_READ_TIMEOUT": "7.5"})
    assert (settings.s3_connect_timeout, settings.s3_read_timeout) == (2.0, 7.5)
    for bad in ("0", "-1", "soon", "1e9"):
        with pytest.raises(ValueError, match="QUILT_MCP_S3_READ_TIMEOUT"):
            Settings.from_env({"QUILT_MCP_S3_READ_TIMEOUT": bad})
