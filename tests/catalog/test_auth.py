"""Bearers, token refresh and STS credentials, as a Quilt registry handles them."""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timedelta, UTC

import boto3
import jwt
import pytest

from quilt_mcp_conformance.catalog.users import user_id
from tests.catalog.support import gql, http

ME = "{ me { name role { name } } }"


def test_registry_token_and_api_key_each_act_as_their_user(current) -> None:
    for user, bearer in (("alice", current.token_for("alice")), ("bob", current.api_key_for("bob"))):
        status, body = gql(current, bearer, ME)
        assert (status, body["data"]["me"]) == (200, {"name": user, "role": {"name": f"team-{user[0]}"}})


@pytest.mark.parametrize(
    "make_bearer",
    [
        pytest.param(lambda c: None, id="missing"),
        pytest.param(lambda c: c.token_for("alice", ttl=-60), id="expired"),
        pytest.param(lambda c: c.token_for("mallory"), id="unknown-user"),
        pytest.param(
            lambda c: jwt.encode({"id": user_id("alice"), "uuid": "u", "exp": 2**31}, "not-the-secret", algorithm="HS256"),
            id="forged",
        ),
        pytest.param(lambda c: jwt.encode({"id": user_id("alice"), "uuid": "u", "exp": 2**31}, None, algorithm="none"), id="alg-none"),
        pytest.param(lambda c: "qk_not-a-key", id="unknown-api-key"),
        pytest.param(lambda c: "garbage", id="malformed"),
    ],
)
def test_bad_bearer_gets_401_without_echoing_it(current, make_bearer) -> None:
    bearer = make_bearer(current)
    for url in (current.graphql_url, f"{current.url}/api/auth/get_credentials"):
        status, body = (
            gql(current, bearer, ME) if url.endswith("graphql") else http(url, bearer=bearer)
        )
        assert status == 401, body
        assert body["message"]
        assert not bearer or bearer not in body["message"]


def test_revoked_token_and_api_key_get_401_while_others_still_work(current) -> None:
    revoked, kept = current.token_for("alice"), current.token_for("alice")
    key = current.api_key_for("alice")
    assert current.revoke(revoked) and current.revoke(key)
    assert gql(current, revoked, ME)[0] == 401
    assert gql(current, key, ME)[0] == 401
    assert gql(current, kept, ME)[0] == 200


def test_refresh_returns_a_working_token_for_the_same_user(current) -> None:
    form = urllib.parse.urlencode({"refresh_token": current.token_for("bob")}).encode()
    status, body = http(f"{current.url}/api/token", body=form, content_type="application/x-www-form-urlencoded")
    assert status == 200
    assert gql(current, body["access_token"], ME)[1]["data"]["me"]["name"] == "bob"
    assert body["expires_at"] > datetime.now(UTC).timestamp()
    status, _ = http(f"{current.url}/api/token", body=json.dumps({"refresh_token": "qk_nope"}).encode())
    assert status == 401


def test_credentials_come_from_sts_and_reach_s3(current, world) -> None:
    status, creds = http(f"{current.url}/api/auth/get_credentials", bearer=current.token_for("alice"))
    assert status == 200
    assert set(creds) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    expires = datetime.fromisoformat(creds["Expiration"])
    assert timedelta(minutes=50) < expires - datetime.now(UTC) <= timedelta(hours=1)
    s3 = boto3.client(
        "s3",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert s3.head_object(Bucket=world.source, Key="team/alpha/a.txt")["ContentLength"] == 7


def test_control_route_refuses_without_the_admin_secret(current) -> None:
    status, body = http(f"{current.url}/_control/faults", body=b'{"latency": 5}')
    assert status == 403
    assert "admin secret" in body["message"]


def test_config_json_names_this_server_as_the_registry_without_a_bearer(current) -> None:
    status, config = http(f"{current.url}/config.json")
    assert (status, config) == (200, {"registryUrl": current.url})
