"""The HTTP client of one catalog registry for one token: GraphQL and the registry's REST endpoints.

Every request has a connect and a read timeout. Requests that only read
(queries, ``GET``) are retried a bounded number of times on a timeout, a
failed connection or a 5xx answer; mutations are sent once. Failures become
the core's errors (``graphql.errors``). The token travels only in the
``Authorization`` header: it is never in a ``repr``, a log line or an error.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from quilt_mcp_platform.graphql.errors import auth_error, forbidden_error, graphql_errors, unavailable_error
from quilt_mcp_platform.graphql.operations import GraphQLRequest


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait: ``connect`` for a connection, ``read`` for each read of an answer."""

    connect: float = 5.0
    read: float = 30.0
    mutation: float = 300.0
    """Read timeout of a mutation: a push may make the catalog hash every new object first."""

    def httpx2(self, *, mutation: bool = False) -> httpx2.Timeout:
        return httpx2.Timeout(self.mutation if mutation else self.read, connect=self.connect)


DEFAULT_TIMEOUTS = Timeouts()
READ_RETRIES = 2
"""Extra attempts for a request that only reads, after the first one fails transiently."""
RETRY_BACKOFF = 0.25
"""Seconds before the first retry; doubled before each next one."""


class _Transient(Exception):
    def __init__(self, why: str) -> None:
        self.why = why


class CatalogClient:
    """Requests to the registry at ``registry_url`` (e.g. ``https://registry.example.com``) as one token's user.

    Thread-safe (one pooled ``httpx2.Client``); close it, or use it as a
    context manager, when done.
    """

    def __init__(
        self,
        registry_url: str,
        token: str,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        read_retries: int = READ_RETRIES,
        retry_backoff: float = RETRY_BACKOFF,
    ) -> None:
        self.registry_url = registry_url.rstrip("/")
        self.timeouts = timeouts
        self.read_retries = read_retries
        self.retry_backoff = retry_backoff
        self._http = httpx2.Client(
            base_url=self.registry_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeouts.httpx2(),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"CatalogClient({self.registry_url!r})"

    def __enter__(self) -> CatalogClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def execute(self, request: GraphQLRequest) -> Mapping[str, Any]:
        """The ``data`` of ``request``'s answer; a core error when there is none or there are ``errors``."""
        body = self._send("POST", "/graphql", request.name, request.read_only, json=request.payload())
        errors = body.get("errors")
        if errors:
            raise graphql_errors(self.registry_url, request.name, errors)
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise unavailable_error(self.registry_url, request.name, "the answer holds no data")
        return data

    def get_json(self, path: str) -> Mapping[str, Any]:
        """``GET <registry_url><path>`` as JSON (a read: retried like a query)."""
        return self._send("GET", path, f"GET {path}", True)

    def _send(self, method: str, path: str, operation: str, read_only: bool, **kwargs: Any) -> Mapping[str, Any]:
        attempts = 1 + (self.read_retries if read_only else 0)
        for attempt in range(attempts):
            try:
                return self._once(method, path, operation, timeout=self.timeouts.httpx2(mutation=not read_only), **kwargs)
            except _Transient as transient:
                if attempt + 1 == attempts:
                    tries = f" after {attempts} attempts" if attempts > 1 else ""
                    raise unavailable_error(self.registry_url, operation, transient.why + tries) from None
                time.sleep(self.retry_backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, path: str, operation: str, **kwargs: Any) -> Mapping[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx2.TimeoutException as err:
            kind = "connect" if isinstance(err, httpx2.ConnectTimeout) else "read"
            limit = self.timeouts.connect if kind == "connect" else kwargs["timeout"].read
            raise _Transient(f"no answer within the {kind} timeout of {limit:g} s") from None
        except httpx2.TransportError as err:
            raise _Transient(f"the connection failed ({type(err).__name__})") from None
        if response.status_code == 401:
            raise auth_error(self.registry_url)
        if response.status_code == 403:
            raise forbidden_error(self.registry_url, operation)
        if response.status_code >= 500:
            raise _Transient(f"it answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 and not (isinstance(body, Mapping) and body.get("errors")):
            # a GraphQL server answers a request it rejects with 400 and its "errors": execute() reports those
            raise unavailable_error(self.registry_url, operation, f"it answered HTTP {response.status_code}")
        if not isinstance(body, Mapping):
            raise unavailable_error(self.registry_url, operation, "the answer is not a JSON object")
        return body
