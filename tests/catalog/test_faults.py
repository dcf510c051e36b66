"""Faults switched on by a test: latency, 5xx answers, OperationErrors, short-lived credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import urllib.error

import pytest

from tests.catalog.support import data, gql, http

ME = "{ me { name } }"


def test_latency_makes_a_short_client_timeout_expire(current) -> None:
    current.set_faults(latency=5.0)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        http(current.graphql_url, bearer=current.token_for("alice"), body=b'{"query": "{ me { name } }"}', timeout=1.5)


def test_5xx_answers_the_next_requests_then_stops(current) -> None:
    current.set_faults(status_5xx=503, status_5xx_count=2)
    token = current.token_for("alice")
    assert [gql(current, token, ME)[0] for _ in range(3)] == [503, 503, 200]


def test_operation_error_answers_every_operation_error_arm(current, world) -> None:
    current.set_faults(operation_error="Timeout")
    query = 'mutation($b: String!) { packageRevisionDelete(bucket: $b, name: "a/b", hash: "x") { ... on OperationError { name message } } }'
    result = data(current, "alice", query, b=world.bucket_a)["packageRevisionDelete"]
    assert result["name"] == "Timeout" and "fault" in result["message"]
    search = data(current, "alice", "{ searchPackages { __typename } }")["searchPackages"]
    assert search == {"__typename": "OperationError"}


def test_credentials_expire_after_the_configured_ttl(current) -> None:
    current.set_faults(credential_ttl=5)
    status, creds = http(f"{current.url}/api/auth/get_credentials", bearer=current.token_for("alice"))
    assert status == 200
    assert datetime.fromisoformat(creds["Expiration"]) - datetime.now(UTC) <= timedelta(seconds=5)
