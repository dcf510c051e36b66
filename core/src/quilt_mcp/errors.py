"""The one error hierarchy every backend raises and every tool reports.

Each error carries a message that says what was wrong *and* what to do next.
The server turns these into MCP tool errors; anything else is a bug and is
reported without a traceback.
"""

from __future__ import annotations


class QuiltMCPError(Exception):
    """Base of all domain errors.

    ``message`` says what went wrong; ``hint`` says what the user can do about
    it. ``str(err)`` joins the two so a client always sees both.
    """

    code: str = "error"

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}".strip() if hint else message)


class NotFoundError(QuiltMCPError):
    """A package, revision, entry, object or bucket does not exist."""

    code = "not_found"


class InvalidInputError(QuiltMCPError):
    """An argument is malformed: a bad name, key, URI, hash or limit."""

    code = "invalid_input"


class AuthRequiredError(QuiltMCPError):
    """No usable credential: the user must log in or configure credentials."""

    code = "auth_required"


class PermissionDeniedError(QuiltMCPError):
    """The credential is valid but not allowed to do this."""

    code = "permission_denied"


class ConflictError(QuiltMCPError):
    """A concurrent writer moved ``latest``, or the target already exists."""

    code = "conflict"


class NotSupportedError(QuiltMCPError):
    """The chosen backend lacks the capability this operation needs."""

    code = "not_supported"

    def __init__(self, message: str, hint: str = "", *, capability: str | None = None) -> None:
        self.capability = capability
        super().__init__(message, hint)


class BackendUnavailableError(QuiltMCPError):
    """A backend is not installed, failed to load, or cannot be reached."""

    code = "backend_unavailable"


class DamagedManifestError(BackendUnavailableError):
    """A manifest in the registry cannot be read as a package (quilt3 would refuse it too)."""


__all__ = [
    "AuthRequiredError",
    "BackendUnavailableError",
    "DamagedManifestError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "NotSupportedError",
    "PermissionDeniedError",
    "QuiltMCPError",
]
