"""The catalog's failures as the core's errors, each with what to do next.

Messages name the catalog and the operation, never the token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from quilt_mcp.errors import (
    AuthRequiredError,
    BackendUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    QuiltMCPError,
)

FRESH_TOKEN_HINT = (
    "Get a fresh token: create an API key in the catalog (your profile menu, API keys) and set "
    "QUILT_API_KEY=qk_..., or set QUILT_MCP_CATALOG_TOKEN to a new registry token; over HTTP, "
    "sign in to the client again so it sends a new bearer token."
)


class GraphQLErrors(BackendUnavailableError):
    """The catalog answered a request with GraphQL ``errors`` (e.g. a query its schema version rejects).

    ``messages`` holds each error's message, for callers that adapt (for
    example to the older search shape).
    """

    def __init__(self, message: str, hint: str, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__(message, hint)


def auth_error(where: str) -> AuthRequiredError:
    return AuthRequiredError(
        f"The catalog at {where} refused the token (HTTP 401): it is expired, revoked or not valid.", FRESH_TOKEN_HINT
    )


def forbidden_error(where: str, operation: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"The catalog at {where} does not allow {operation} for this user (HTTP 403).",
        "Ask a catalog admin for a role that grants it, or use another token.",
    )


def unavailable_error(where: str, operation: str, why: str) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"The catalog at {where} did not complete {operation}: {why}.",
        "Try again shortly; if it persists, check QUILT_MCP_REGISTRY_URL and that the catalog is up.",
    )


def graphql_errors(where: str, operation: str, errors: Sequence[Mapping[str, Any]]) -> GraphQLErrors:
    messages = [str(e.get("message", e)) for e in errors]
    return GraphQLErrors(
        f"The catalog at {where} rejected {operation}: {'; '.join(messages)}.",
        "The catalog may run a schema version this backend does not know; run 'quilt-mcp doctor' and report it.",
        messages,
    )


def invalid_input(operation: str, arm: Mapping[str, Any]) -> InvalidInputError:
    """An ``InvalidInput`` arm: every input error with its path and name."""
    parts = []
    for error in arm.get("errors") or ():
        where = f"{error['path']}: " if error.get("path") else ""
        parts.append(f"{where}{error.get('message', '')} ({error.get('name', 'InvalidInput')})")
    return InvalidInputError(
        f"The catalog rejected the input of {operation}: {'; '.join(parts) or 'no details given'}.",
        "Correct the named field and try again.",
    )


_OPERATION_ERRORS: tuple[tuple[tuple[str, ...], type[QuiltMCPError], str], ...] = (
    (("notfound", "nosuch", "doesnotexist"), NotFoundError, "Check the bucket, package name and revision."),
    (
        ("forbidden", "accessdenied", "permission", "unauthorized"),
        PermissionDeniedError,
        "Ask a catalog admin for access.",
    ),
)


def operation_error(operation: str, arm: Mapping[str, Any]) -> QuiltMCPError:
    """An ``OperationError`` arm as the closest core error (not found, permission denied, or a plain failure)."""
    name = str(arm.get("name", "OperationError"))
    message = f"The catalog could not complete {operation}: {arm.get('message', '')} ({name})."
    folded = name.lower().replace("_", "")
    for words, error, hint in _OPERATION_ERRORS:
        if any(word in folded for word in words):
            return error(message, hint)
    return QuiltMCPError(message, "Check the arguments; if they are right, the catalog's logs say more.")
