"""AWS credentials the registry hands out for the catalog user's role, as a self-refreshing boto3 session.

``GET <registry>/api/auth/get_credentials`` (with the bearer token) answers
``AccessKeyId``, ``SecretAccessKey``, ``SessionToken`` and ``Expiration``.
botocore's ``RefreshableCredentials`` asks again before they expire: in the
advisory window (15 minutes before expiry) a failed refresh keeps the old
ones; in the mandatory window (10 minutes) it must succeed. boto3 is
imported only when a session is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.redaction import remember

if TYPE_CHECKING:
    from quilt_mcp_platform.graphql.client import CatalogClient

CREDENTIALS_PATH = "/api/auth/get_credentials"
METHOD = "quilt-registry"
"""The ``method`` botocore reports for these credentials."""


@dataclass(frozen=True)
class StsCredentials:
    """One set of temporary AWS credentials; only the access key id shows in ``repr``."""

    access_key: str
    secret_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime

    def metadata(self) -> dict[str, str]:
        """The form botocore's ``RefreshableCredentials`` takes."""
        return {
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "token": self.session_token,
            "expiry_time": self.expiration.isoformat(),
        }


def fetch_credentials(client: CatalogClient) -> StsCredentials:
    """The registry's current credentials for ``client``'s user (core errors on failure)."""
    body = client.get_json(CREDENTIALS_PATH)
    try:
        expiration = datetime.fromisoformat(str(body["Expiration"]))
        credentials = StsCredentials(
            str(body["AccessKeyId"]), str(body["SecretAccessKey"]), str(body["SessionToken"]), expiration
        )
    except (KeyError, ValueError):
        raise BackendUnavailableError(
            f"The catalog at {client.registry_url} answered {CREDENTIALS_PATH} without usable AWS credentials.",
            "Check that QUILT_MCP_REGISTRY_URL names the catalog's registry, not the catalog itself.",
        ) from None
    remember(credentials.secret_key, credentials.session_token)
    if credentials.expiration.tzinfo is None:
        credentials = StsCredentials(
            credentials.access_key,
            credentials.secret_key,
            credentials.session_token,
            credentials.expiration.replace(tzinfo=UTC),
        )
    return credentials


def refreshable_session(client: CatalogClient, *, region: str | None = None) -> Any:
    """A ``boto3.Session`` whose credentials come from ``client``'s registry and are renewed before expiry."""
    import boto3
    from botocore.credentials import RefreshableCredentials
    from quilt_mcp.kit import service_models

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch_credentials(client).metadata(),
        refresh_using=lambda: fetch_credentials(client).metadata(),
        method=METHOD,
    )
    core = service_models.new_session()
    # botocore has no public setter for a credentials provider object; quilt3 sets it the same way.
    core._credentials = credentials
    return boto3.Session(botocore_session=core, region_name=region)
