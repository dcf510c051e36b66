"""AWS credentials from the registry's ``/api/auth/get_credentials``, renewed before they expire."""

from __future__ import annotations

from datetime import timedelta

from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_platform.credentials import fetch_credentials, refreshable_session
from quilt_mcp_platform.graphql.client import CatalogClient

from tests.platform.conftest import Site


def test_registry_credentials_are_read_and_their_secrets_kept_out_of_repr(client: CatalogClient) -> None:
    credentials = fetch_credentials(client)
    assert credentials.access_key and credentials.expiration.tzinfo is not None
    assert credentials.secret_key not in repr(credentials)
    assert credentials.session_token not in repr(credentials)


def test_session_renews_credentials_near_expiry_and_reaches_s3(
    client: CatalogClient, catalog: Site, infra: Infrastructure
) -> None:
    catalog.catalog.set_faults(credential_ttl=300)  # inside botocore's mandatory refresh window
    session = refreshable_session(client, region="us-east-1")
    keys = [session.get_credentials().get_frozen_credentials().access_key for _ in range(2)]
    assert len(set(keys)) == 2  # each access in the window fetched new credentials (the catalog's STS mints new keys)
    s3 = session.client("s3", endpoint_url=infra.s3_endpoint)
    assert catalog.world.bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_long_lived_credentials_are_not_fetched_again(client: CatalogClient) -> None:
    first = fetch_credentials(client).access_key
    session = refreshable_session(client)
    keys = {session.get_credentials().get_frozen_credentials().access_key for _ in range(3)}
    assert len(keys) == 1 and keys != {first}  # one fetch for the session, none after (a fetch mints a new key)


def test_sessions_of_several_callers_share_one_copy_of_the_service_models(client: CatalogClient) -> None:
    loaders = {id(refreshable_session(client)._session.get_component("data_loader")) for _ in range(3)}

    assert len(loaders) == 1, "each caller's session loads (and keeps) its own copy of the service models"
