"""S3 error codes as domain errors, shared by every backend that talks to S3.

Works on the code string alone, so it imports neither boto3 nor botocore;
each backend extracts the code from its own exception and supplies the hint
that fits its credentials (an AWS profile, a quilt3 login, ...).
"""

from __future__ import annotations

from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    QuiltMCPError,
)

NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound", "NoSuchVersion"})
DENIED_CODES = frozenset({"AccessDenied", "403", "AllAccessDisabled", "Forbidden"})
AUTH_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidToken",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
    }
)
BAD_INPUT_CODES = frozenset({"InvalidBucketName", "InvalidArgument", "InvalidRange", "KeyTooLongError"})


def s3_error(code: str, detail: str, what: str, *, auth_hint: str, denied_hint: str) -> QuiltMCPError:
    """The domain error for S3 error ``code`` (with S3's message ``detail``) while touching ``what``.

    Unknown codes become ``BackendUnavailableError``: S3 failed in a way the
    caller can only retry.
    """
    if code == "NoSuchBucket":
        return NotFoundError(f"Bucket of {what} does not exist.", "Check the bucket name.")
    if code in NOT_FOUND_CODES:
        return NotFoundError(f"{what} does not exist.", "Check the name, key or version.")
    if code in DENIED_CODES:
        return PermissionDeniedError(f"Access denied to {what} ({detail}).", denied_hint)
    if code in AUTH_CODES:
        return AuthRequiredError(f"AWS rejected the credentials used for {what} ({code}).", auth_hint)
    if code in BAD_INPUT_CODES:
        return InvalidInputError(f"S3 rejected the request for {what} ({code}: {detail}).", "Check the URI and range.")
    return BackendUnavailableError(
        f"S3 failed on {what}: {code or 'no error code'}: {detail}.", "Retry later; if it persists, check the bucket."
    )
