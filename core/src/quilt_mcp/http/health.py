"""``/healthz`` (alive) and ``/readyz`` (plugins loaded, backend kind reachable), both without auth.

Readiness asks every loaded plugin to detect with the server's own
environment (no caller token) and, in catalog mode, whether the catalog
answers at all, through the token checks' pooled client. It is cached for a
few seconds so probes cost little.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse

from quilt_mcp.http.session import CallerSession
from quilt_mcp.http.settings import HttpSettings

CACHE_SECONDS = 5.0
CHECK_TIMEOUT = 10.0


async def healthz(_request: Request) -> JSONResponse:
    """Always 200 while the process serves."""
    return JSONResponse({"status": "ok"})


@dataclass
class Readiness:
    """Answers ``/readyz`` for ``session``'s plugins under ``settings``.

    ``catalog_client`` gives the HTTP client to ask the catalog with (the token verifier's shared one, owned and
    closed by it); required in catalog mode, unused otherwise.
    """

    session: CallerSession
    settings: HttpSettings
    catalog_client: Callable[[], httpx2.AsyncClient] | None = None
    _last: tuple[float, int, dict[str, Any]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.settings.auth == "catalog" and self.catalog_client is None:
            raise ValueError("readiness in catalog mode needs the client to ask the catalog with")

    async def respond(self, _request: Request) -> JSONResponse:
        """The readiness report: 200 when ready, else 503."""
        if self._last is None or self._last[0] <= time.monotonic():
            status, report = await self.check()
            self._last = (time.monotonic() + CACHE_SECONDS, status, report)
        return JSONResponse(self._last[2], status_code=self._last[1])

    async def check(self) -> tuple[int, dict[str, Any]]:
        """(200 or 503, a report naming plugins, load failures and what each backend found)."""
        host = self.session.host
        report: dict[str, Any] = {
            "plugins": host.names(),
            "failures": [f.name for f in host.failures],
            "auth": self.settings.auth,
        }
        if self.settings.auth == "catalog":
            report["catalog_reachable"] = await self._catalog_answers()
            ready = report["catalog_reachable"]
        else:
            context = self.session.context_for_server()
            report["backends"] = f"detection did not finish within {CHECK_TIMEOUT:.0f} s"
            with anyio.move_on_after(CHECK_TIMEOUT):
                detections = await anyio.to_thread.run_sync(host.detect, context, abandon_on_cancel=True)
                report["backends"] = {
                    d.plugin: (d.candidate.reason if d.candidate else d.error or "nothing detected") for d in detections
                }
                report["usable"] = sorted(d.plugin for d in detections if d.candidate and d.candidate.usable)
            ready = bool(report.get("usable"))
        report["ready"] = bool(ready and host.names())
        return (200 if report["ready"] else 503), report

    async def _catalog_answers(self) -> bool:
        assert self.catalog_client is not None  # __post_init__: catalog mode has one
        url = f"{self.settings.registry_url}/graphql"
        try:
            response = await self.catalog_client().post(url, json={"query": "{ __typename }"}, timeout=CHECK_TIMEOUT)
        except httpx2.HTTPError:
            return False
        return response.status_code < 500
