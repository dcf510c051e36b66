"""The one place where quilt3, botocore and requests exceptions become ``quilt_mcp.errors``.

Imports nothing heavy at module level: the exception classes are looked up
on the modules already imported when an error is being translated.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
    QuiltMCPError,
)
from quilt_mcp.kit.s3objects import TIMEOUT_HINT
from quilt_mcp.s3_errors import AUTH_CODES, s3_error

LOGIN_HINT = "Run `quilt3 login` again, or use another backend (see `quilt-mcp doctor`)."


def _is(err: BaseException, module: str, name: str) -> bool:
    """True if ``err`` is an instance of ``module.name`` (only if that module is already imported)."""
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(err, cls)


def translate(err: BaseException, what: str) -> BaseException:
    """The core error for ``err``, raised while doing ``what`` (e.g. "Reading s3://b/k").

    Exceptions that are not from quilt3, botocore or requests are returned
    unchanged: they are bugs and must not be disguised.
    """
    if isinstance(err, QuiltMCPError):
        return err
    message = str(err)
    if _is(err, "quilt3.util", "QuiltConflictException"):
        return ConflictError(f"{what}: {message}", "Read the package again and retry, or pass force=True.")
    if _is(err, "quilt3.data_transfer", "S3NoValidClientError"):
        return PermissionDeniedError(f"{what}: {message}.", "Ask for access to the bucket, or check the quilt3 role.")
    if _is(err, "requests.exceptions", "RequestException") or (
        _is(err, "quilt3.util", "QuiltException") and "quilt3 login" in message
    ):
        return credentials_expired(err)
    if _is(err, "botocore.exceptions", "ClientError"):
        return _client_error(err, what)
    if _is(err, "botocore.exceptions", "NoCredentialsError") or _is(
        err, "botocore.exceptions", "PartialCredentialsError"
    ):
        return AuthRequiredError(f"{what}: no AWS credentials from the quilt3 session ({message}).", LOGIN_HINT)
    if _is(err, "botocore.exceptions", "ConnectTimeoutError") or _is(err, "botocore.exceptions", "ReadTimeoutError"):
        return BackendUnavailableError(f"{what}: S3 did not answer in time ({message}).", TIMEOUT_HINT)
    if _is(err, "botocore.exceptions", "BotoCoreError"):
        return BackendUnavailableError(f"{what}: S3 could not be reached ({message}).", "Check the network and retry.")
    if _is(err, "quilt3.util", "QuiltException") or _is(err, "quilt3.exceptions", "PackageException"):
        return InvalidInputError(f"{what}: {message}", "Correct the request and retry.")
    return err


def _client_error(err: BaseException, what: str) -> QuiltMCPError:
    error = err.response.get("Error", {})  # type: ignore[attr-defined]
    code = str(error.get("Code", ""))
    detail = str(error.get("Message") or code)
    if code in AUTH_CODES:
        return AuthRequiredError(f"{what}: the quilt3 session's AWS credentials were refused ({code}).", LOGIN_HINT)
    return s3_error(
        code, detail, what, auth_hint=LOGIN_HINT, denied_hint="Ask your Quilt administrator for access to this bucket."
    )


def credentials_expired(err: BaseException) -> AuthRequiredError:
    """The error for quilt3 credentials that could not be renewed from the catalog."""
    return AuthRequiredError(
        f"The quilt3 login session has expired and could not be renewed: {err}".rstrip(".") + ".", LOGIN_HINT
    )


@contextlib.contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Re-raise quilt3/botocore/requests exceptions from the block as core errors about ``what``."""
    try:
        yield
    except QuiltMCPError:
        raise
    except Exception as err:
        mapped = translate(err, what)
        if mapped is err:
            raise
        raise mapped from err
