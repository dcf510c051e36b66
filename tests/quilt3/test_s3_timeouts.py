"""A hung S3 endpoint ends every quilt3 call with a clear error within the configured timeouts: the
backend's own client and the clients quilt3 builds (through its documented ``build_s3_client`` hook)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.kit.s3timeouts import s3_client_options, worst_case_seconds
from quilt_mcp.settings import Settings
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_quilt3.conformance import Quilt3S3Harness
from quilt_mcp_quilt3.library import set_s3_client_options
from quilt_mcp_quilt3.ops import Quilt3Ops
from tests.hung_endpoint import hung_endpoint

SETTINGS = Settings(s3_connect_timeout=0.5, s3_read_timeout=0.5)


@pytest.fixture
def quick(infra: Infrastructure, quilt3_home: None) -> Iterator[Quilt3Ops]:
    """The quilt3 backend with half-second S3 timeouts (quilt3's clients are process-wide: restored after)."""
    opened: Any = Quilt3S3Harness().open(infra)
    yield Quilt3Ops(opened.session, SETTINGS)
    set_s3_client_options(s3_client_options(opened.settings))


@pytest.mark.parametrize("call", ["list_revisions", "list_objects"])
def test_a_hung_endpoint_ends_quilt3_calls_with_a_clear_error_within_the_timeouts(
    quick: Quilt3Ops, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    with hung_endpoint() as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", url)
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError) as caught:
            if call == "list_revisions":  # through quilt3's own clients
                quick.list_revisions("s3://hung-bucket", "team/pkg")
            else:  # through the backend's client
                quick.list_objects("s3://hung-bucket/")
        elapsed = time.monotonic() - started
    assert "in time" in str(caught.value)
    assert elapsed < worst_case_seconds(SETTINGS) + 20  # slack for a loaded CI machine; the defect took 240 s
