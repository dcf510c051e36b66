"""The reference catalog's ASGI app: ``/graphql``, the registry's auth routes and a test control route.

Routes:

- ``POST /graphql``: GraphQL (ariadne) on the chosen schema version, as the
  bearer's user; queries invalid for that version fail validation.
- ``GET /api/auth/get_credentials``: STS credentials (moto's STS,
  ``AssumeRole`` of ``arn:aws:iam::123456789012:role/<role>`` with a session
  policy naming the role's buckets) as ``{AccessKeyId, SecretAccessKey,
  SessionToken, Expiration}``. moto does not enforce IAM policies, so these
  credentials are not actually limited to the role's buckets on moto S3; the
  catalog's own scoping (GraphQL, search) is what tests rely on.
- ``POST /api/token``: ``refresh_token`` (form or JSON) -> ``{access_token,
  refresh_token, expires_at}``.
- ``POST /_control/{faults,api_key,revoke,grant}``: test control, only with
  the per-process ``X-Admin-Secret``.
- ``GET /config.json``: what a catalog's web app serves there, reduced to
  ``{"registryUrl": <this server>}`` (this server is catalog and registry at
  once), so clients that find the registry from a catalog URL can be tested.
  No bearer needed, no faults.

A missing, malformed, forged, expired or revoked bearer, or one naming no
user, gets HTTP 401 ``{"message": ...}`` on ``/graphql`` and ``/api/*``.
Faults (latency, 5xx) apply to those routes too, never to ``/_control``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import boto3
from ariadne.asgi import GraphQL
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from quilt_mcp_conformance.catalog import schemas
from quilt_mcp_conformance.catalog.faults import FaultSettings
from quilt_mcp_conformance.catalog.resolvers import attach
from quilt_mcp_conformance.catalog.resolvers.context import Caller, CatalogState
from quilt_mcp_conformance.catalog.users import DEFAULT_TTL, AuthError, User, mint_token

ACCOUNT = "123456789012"
CREDENTIAL_TTL = 3600


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _unauthorized(exc: AuthError) -> JSONResponse:
    return JSONResponse({"message": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def role_arn(role: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{role}"


def _session_policy(buckets: set[str]) -> str:
    resources = [f"arn:aws:s3:::{b}" for b in sorted(buckets)] + [f"arn:aws:s3:::{b}/*" for b in sorted(buckets)]
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": resources or ["arn:aws:s3:::none"]}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def create_app(state: CatalogState, admin_secret: str) -> Starlette:
    """The ASGI app serving ``state`` (schema version ``state.version``)."""
    schema = attach(schemas.build(state.version))  # type: ignore[arg-type]
    graphql = GraphQL(
        schema,
        context_value=lambda request, _data: {"request": request, "caller": request.state.caller},
        debug=False,
    )
    sts = boto3.client("sts")

    async def faulted() -> Response | None:
        latency = state.faults.settings.latency
        if latency:
            await asyncio.sleep(latency)
        status = state.faults.take_5xx()
        if status is not None:
            return JSONResponse({"message": "fault injected by the reference catalog"}, status_code=status)
        return None

    def authenticate(request: Request) -> User:
        return state.directory.authenticate(_bearer(request))

    async def graphql_route(request: Request) -> Response:
        if (fault := await faulted()) is not None:
            return fault
        try:
            user = authenticate(request)
        except AuthError as exc:
            return _unauthorized(exc)
        request.state.caller = Caller(user, state)
        return await graphql.handle_request(request)

    async def credentials_route(request: Request) -> Response:
        if (fault := await faulted()) is not None:
            return fault
        try:
            user = authenticate(request)
        except AuthError as exc:
            return _unauthorized(exc)
        ttl = state.faults.settings.credential_ttl or CREDENTIAL_TTL
        answer = await asyncio.to_thread(
            sts.assume_role,
            RoleArn=role_arn(user.role),
            RoleSessionName=f"quilt-{user.id}"[:64],
            Policy=_session_policy(state.directory.buckets_of(user)),
            DurationSeconds=max(ttl, 900),
        )
        creds = answer["Credentials"]
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        return JSONResponse(
            {
                "AccessKeyId": creds["AccessKeyId"],
                "SecretAccessKey": creds["SecretAccessKey"],
                "SessionToken": creds["SessionToken"],
                "Expiration": expires.isoformat(),
            }
        )

    async def token_route(request: Request) -> Response:
        if (fault := await faulted()) is not None:
            return fault
        raw = await request.body()
        try:
            if request.headers.get("content-type", "").startswith("application/json"):
                body = json.loads(raw or b"{}")
            else:
                body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"message": "send refresh_token as a form field or JSON"}, status_code=400)
        try:
            user = state.directory.authenticate(body.get("refresh_token") if isinstance(body, dict) else None)
        except AuthError as exc:
            return _unauthorized(exc)
        return JSONResponse(
            {
                "access_token": mint_token(state.directory.secret, user.name),
                "refresh_token": mint_token(state.directory.secret, user.name, ttl=30 * 24 * 3600),
                "expires_at": int(time.time() + DEFAULT_TTL),
            }
        )

    async def control_route(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get("x-admin-secret", ""), admin_secret):
            return JSONResponse({"message": "control requires the catalog's admin secret"}, status_code=403)
        action = request.path_params["action"]
        body: dict[str, Any] = await request.json()
        try:
            if action == "faults":
                state.faults.set(FaultSettings.from_mapping(body))
                return JSONResponse(state.faults.settings.to_dict())
            if action == "api_key":
                return JSONResponse({"key": state.directory.issue_api_key(body["user"])})
            if action == "revoke":
                return JSONResponse({"revoked": state.directory.revoke(body["bearer"])})
            if action == "grant":
                state.directory.grant(body["role"], body["buckets"])
                return JSONResponse({"role": body["role"]})
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"message": f"bad {action} request: {exc}"}, status_code=400)
        return JSONResponse({"message": f"unknown control action {action!r}"}, status_code=404)

    async def config_route(request: Request) -> Response:
        return JSONResponse({"registryUrl": str(request.base_url).rstrip("/")})

    return Starlette(
        routes=[
            Route("/config.json", config_route, methods=["GET"]),
            Route("/graphql", graphql_route, methods=["GET", "POST"]),
            Route("/api/auth/get_credentials", credentials_route, methods=["GET"]),
            Route("/api/token", token_route, methods=["POST"]),
            Route("/_control/{action}", control_route, methods=["POST"]),
        ]
    )
