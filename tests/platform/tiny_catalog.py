"""A tiny catalog registry on loopback for the platform client's and detection's tests.

ariadne serves the carried schema text (either version), so every query the
client sends is really validated; a few resolvers answer from fixed data.
``/api/auth/get_credentials`` hands out moto STS session credentials with a
chosen lifetime; ``/config.json`` (as the catalog serves it) names the
registry. ``faults`` switches on latency and 5xx answers. The reference
catalog of the conformance distribution replaces this for the backend's
operations; this one proves the HTTP client and detection on their own.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from ariadne import MutationType, QueryType, make_executable_schema
from ariadne.asgi import GraphQL
from quilt_mcp_conformance.catalog import schemas
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

TOKEN = "qk_tiny-catalog-secret-0123456789"
USER = {"name": "ada", "email": "ada@example.com", "isAdmin": False, "role": {"name": "ReadWrite"}}
HIT = {
    "id": "h1", "score": 1.0, "bucket": "b", "name": "team/data", "pointer": "latest", "hash": "a" * 64,
    "size": 10.0, "modified": "2026-01-01T00:00:00Z", "totalEntriesCount": 2, "comment": "hello", "meta": None,
    "workflow": None,
}  # fmt: skip


@dataclass
class Faults:
    """What the server does wrong on demand: sleep ``latency`` s, answer 503 to the next ``fail`` requests."""

    latency: float = 0.0
    fail: int = 0
    credential_lifetime: timedelta = timedelta(hours=1)
    requests: list[str] = field(default_factory=list)


def _resolvers(version: str) -> list[Any]:
    query, mutation = QueryType(), MutationType()
    query.set_field("me", lambda *_: USER)

    def search(_obj: Any, _info: Any, searchString: str | None = None, **_: Any) -> dict[str, Any]:
        if searchString == "nothing":
            return {"__typename": "EmptySearchResultSet", "_": None}
        if searchString == "bad":
            error = {"path": "searchString", "message": "too odd", "name": "QuerySyntaxError"}
            return {"__typename": "InvalidInput", "errors": [error]}
        page = {"__typename": "PackagesSearchResultSetPage", "cursor": "c1", "hits": [HIT]}
        return {"__typename": "PackagesSearchResultSet", "total": 3, "firstPage": page}

    def search_more(_obj: Any, _info: Any, after: str, size: int = 30) -> dict[str, Any]:
        if after != "c1":
            return {"__typename": "OperationError", "message": "cursor expired", "name": "CursorExpired"}
        return {"__typename": "PackagesSearchResultSetPage", "cursor": None, "hits": [HIT]}

    def construct(_obj: Any, _info: Any, params: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
        if not src["entries"]:
            error = {"path": "src.entries", "message": "no entries", "name": "ValidationError"}
            return {"__typename": "InvalidInput", "errors": [error]}
        revision = {"hash": "b" * 64, "modified": "2026-01-01T00:00:00Z"}
        return {"__typename": "PackagePushSuccess", "package": {"name": params["name"]}, "revision": revision}

    def delete(_obj: Any, _info: Any, bucket: str, name: str, hash: str) -> dict[str, Any]:
        if name != "team/data":
            return {"__typename": "OperationError", "message": f"{name} not found", "name": "PackageNotFound"}
        return {"__typename": "PackageRevisionDeleteSuccess", "_": True}

    query.set_field("searchPackages", search)
    query.set_field("searchMorePackages", search_more)
    mutation.set_field("packageConstruct", construct)
    mutation.set_field("packageRevisionDelete", delete)
    return [query, mutation]


def make_app(version: str, faults: Faults, sts: Any) -> Starlette:
    """The registry app for schema ``version`` (``current`` or ``previous``)."""
    schema = make_executable_schema(schemas.schema_text(version), *_resolvers(version))
    graphql = GraphQL(schema)

    async def guard(scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        faults.requests.append(request.url.path)
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.fail:
            faults.fail -= 1
            return await Response("unavailable", status_code=503)(scope, receive, send)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return await JSONResponse({"message": "Token invalid"}, status_code=401)(scope, receive, send)
        if request.url.path == "/api/auth/get_credentials":
            creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
            expiry = datetime.now(UTC) + faults.credential_lifetime
            body = {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
            body["Expiration"] = expiry.isoformat()
            return await JSONResponse(body)(scope, receive, send)
        return await graphql(scope, receive, send)

    async def config(_request: Request) -> JSONResponse:
        return JSONResponse({"registryUrl": _request.app.state.registry_url})

    return Starlette(routes=[Route("/config.json", config), Mount("/", guard)])


@contextmanager
def serve(version: str, sts: Any) -> Iterator[tuple[str, Faults]]:
    """Run the tiny catalog on a free loopback port: ``(url, faults)``; stopped on exit."""
    faults = Faults()
    app = make_app(version, faults, sts)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app.state.registry_url = url
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield url, faults
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
