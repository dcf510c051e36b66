"""A plain-HTTP GraphQL client for the reference catalog's tests (urllib: no client library in between)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from quilt_mcp_conformance.catalog import ReferenceCatalog


def http(url: str, *, bearer: str | None = None, body: bytes | None = None, content_type: str = "application/json", timeout: float = 30) -> tuple[int, Any]:
    """``(status, parsed JSON body)`` of one request (POST when ``body`` is given)."""
    headers = {"Content-Type": content_type}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def gql(catalog: ReferenceCatalog, bearer: str | None, query: str, **variables: Any) -> tuple[int, Any]:
    """``(status, body)`` of one GraphQL request."""
    return http(catalog.graphql_url, bearer=bearer, body=json.dumps({"query": query, "variables": variables}).encode())


def data(catalog: ReferenceCatalog, user: str, query: str, **variables: Any) -> dict[str, Any]:
    """The ``data`` of a query run as ``user`` that must succeed without errors."""
    status, body = gql(catalog, catalog.token_for(user), query, **variables)
    assert status == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]
