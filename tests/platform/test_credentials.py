"""AWS credentials from the registry's ``/api/auth/get_credentials``, renewed before they expire."""

from __future__ import annotations

from datetime import timedelta

from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_platform.credentials import fetch_credentials, refreshable_session
from quilt_mcp_platform.graphql.client import CatalogClient

from tests.platform.tiny_catalog import Faults


def test_registry_credentials_are_read_and_their_secrets_kept_out_of_repr(client: CatalogClient) -> None:
    credentials = fetch_credentials(client)
    assert credentials.access_key and credentials.expiration.tzinfo is not None
    assert credentials.secret_key not in repr(credentials)
    assert credentials.session_token not in repr(credentials)


def test_session_renews_credentials_near_expiry_and_reaches_s3(
    client: CatalogClient, catalog: tuple[str, Faults], infra: Infrastructure
) -> None:
    faults = catalog[1]
    faults.credential_lifetime = timedelta(minutes=5)  # inside botocore's mandatory refresh window
    session = refreshable_session(client, region="us-east-1")
    for _ in range(2):
        assert session.get_credentials().get_frozen_credentials().access_key
    assert faults.requests.count("/api/auth/get_credentials") == 3  # the first, then one per access in the window
    bucket = infra.new_bucket()
    s3 = session.client("s3", endpoint_url=infra.s3_endpoint)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_long_lived_credentials_are_not_fetched_again(client: CatalogClient, catalog: tuple[str, Faults]) -> None:
    session = refreshable_session(client)
    for _ in range(3):
        session.get_credentials().get_frozen_credentials()
    assert catalog[1].requests.count("/api/auth/get_credentials") == 1


def test_sessions_of_several_callers_share_one_copy_of_the_service_models(client: CatalogClient) -> None:
    loaders = {id(refreshable_session(client)._session.get_component("data_loader")) for _ in range(3)}

    assert len(loaders) == 1, "each caller's session loads (and keeps) its own copy of the service models"
