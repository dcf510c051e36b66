"""S3 error codes map to the same domain errors for every backend, with the backend's own hints."""

from __future__ import annotations

import pytest

from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from quilt_mcp.s3_errors import s3_error


@pytest.mark.parametrize(
    "code,kind",
    [
        ("NoSuchBucket", NotFoundError),
        ("NoSuchKey", NotFoundError),
        ("404", NotFoundError),
        ("AccessDenied", PermissionDeniedError),
        ("ExpiredToken", AuthRequiredError),
        ("InvalidRange", InvalidInputError),
        ("SlowDown", BackendUnavailableError),
        ("", BackendUnavailableError),
    ],
)
def test_codes_map_to_domain_errors(code, kind):
    err = s3_error(code, "detail", "s3://b/k", auth_hint="log in", denied_hint="ask for access")

    assert isinstance(err, kind)
    assert "s3://b/k" in err.message and err.hint


def test_backend_hints_are_used_for_auth_and_permission_errors():
    denied = s3_error("403", "nope", "s3://b", auth_hint="log in", denied_hint="ask for access")
    expired = s3_error("InvalidAccessKeyId", "bad", "s3://b", auth_hint="log in", denied_hint="ask for access")

    assert denied.hint == "ask for access"
    assert expired.hint == "log in"
