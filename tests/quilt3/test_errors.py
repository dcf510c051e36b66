"""quilt3, botocore and requests failures become core errors that say what to do; bugs are not disguised."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from quilt_mcp_quilt3.errors import mapped_errors, translate
from quilt_mcp_quilt3.library import load_quilt3


def s3_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"S3 says {code}"}}, "GetObject")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NoSuchKey", NotFoundError),
        ("404", NotFoundError),
        ("NoSuchBucket", NotFoundError),
        ("AccessDenied", PermissionDeniedError),
        ("ExpiredToken", AuthRequiredError),
        ("InvalidAccessKeyId", AuthRequiredError),
        ("InvalidRange", InvalidInputError),
        ("SlowDown", BackendUnavailableError),
    ],
)
def test_s3_error_codes_map_to_core_errors_naming_the_work(code: str, expected: type) -> None:
    err = translate(s3_error(code), "Reading s3://b/k")

    assert isinstance(err, expected)
    assert "s3://b/k" in err.message and err.hint


def test_missing_credentials_ask_for_a_login() -> None:
    err = translate(NoCredentialsError(), "Listing s3://b")

    assert isinstance(err, AuthRequiredError) and "quilt3 login" in err.hint


def test_an_unreachable_endpoint_is_backend_unavailable() -> None:
    assert isinstance(translate(EndpointConnectionError(endpoint_url="http://x"), "Listing"), BackendUnavailableError)


def test_quilt3_exceptions_map_by_kind() -> None:
    quilt3 = load_quilt3()

    assert isinstance(translate(quilt3.util.QuiltConflictException("moved"), "Pushing"), ConflictError)
    assert isinstance(translate(quilt3.util.QuiltException("Invalid key 'a//b'"), "Adding"), InvalidInputError)
    refresh = quilt3.util.QuiltException("Failed to update the access token (401). Run `quilt3 login` again.")
    assert isinstance(translate(refresh, "Reading"), AuthRequiredError)
    no_client = quilt3.data_transfer.S3NoValidClientError("S3 AccessDenied for GET_OBJECT on bucket: b")
    assert isinstance(translate(no_client, "Reading"), PermissionDeniedError)


def test_other_exceptions_are_bugs_and_pass_through_unchanged() -> None:
    with pytest.raises(ZeroDivisionError), mapped_errors("Dividing"):
        1 / 0  # noqa: B018


def test_the_original_exception_is_kept_as_the_cause() -> None:
    with pytest.raises(NotFoundError) as caught, mapped_errors("Reading s3://b/k"):
        raise s3_error("NoSuchKey")

    assert isinstance(caught.value.__cause__, ClientError)
