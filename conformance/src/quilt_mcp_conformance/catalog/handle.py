"""``ReferenceCatalog``: start the reference catalog as a subprocess and drive it from tests.

A subprocess keeps quilt3's process-wide state (its config, caches, boto
sessions) out of the test process. Typical use, once per pytest-xdist worker
and schema version (a session fixture)::

    catalog = ReferenceCatalog.start(
        infra.s3_endpoint, infra.env, schema="current",
        roles={"team-a": ["bucket-a"], "team-b": ["bucket-b"]},
        users={"alice": "team-a", "bob": "team-b"},
    )
    token = catalog.token_for("alice")      # HS256 registry token
    key = catalog.api_key_for("bob")         # qk_ API key
    catalog.set_faults(latency=0.5)          # until set_faults() again
    catalog.stop()

This module does not import quilt3.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import IO, Any

from quilt_mcp_conformance.catalog.server import READY_PREFIX
from quilt_mcp_conformance.catalog.users import DEFAULT_TTL, mint_token

START_TIMEOUT = 60.0


class CatalogStartError(RuntimeError):
    """The catalog subprocess did not come up; the message holds the end of its stderr."""


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


class ReferenceCatalog:
    """A running reference catalog subprocess (see the module docstring).

    Attributes: ``url`` (``http://127.0.0.1:<port>``, the registry URL),
    ``graphql_url``, ``schema`` (``current`` or ``previous``), ``s3_endpoint``.
    Secrets (signing key, admin secret) never appear in its repr.
    """

    def __init__(self, process: subprocess.Popen[str], url: str, schema: str, s3_endpoint: str, secret: str, admin: str) -> None:
        self._process = process
        self.url = url
        self.graphql_url = f"{url}/graphql"
        self.schema = schema
        self.s3_endpoint = s3_endpoint
        self._secret = secret
        self._admin = admin

    def __repr__(self) -> str:
        return f"ReferenceCatalog(url={self.url!r}, schema={self.schema!r}, pid={self._process.pid})"

    @classmethod
    def start(
        cls,
        s3_endpoint: str,
        env: Mapping[str, str],
        schema: str = "current",
        *,
        roles: Mapping[str, Iterable[str]] | None = None,
        users: Mapping[str, str] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> ReferenceCatalog:
        """Start a catalog on a free loopback port serving ``schema`` over the S3 at ``s3_endpoint``.

        ``env`` is applied over this process's environment (use the ``infra``
        fixture's: isolated HOME, test AWS credentials). ``roles`` maps a role
        to the buckets it grants, ``users`` a user name to its role (default:
        role ``demo`` without buckets, user ``demo``). Returns once the
        catalog listens; CatalogStartError (with its stderr) otherwise.
        """
        roles = {"demo": []} if roles is None else roles
        users = {"demo": "demo"} if users is None else users
        secret, admin = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        config = {
            "secret": secret,
            "admin_secret": admin,
            "roles": {role: sorted(buckets) for role, buckets in roles.items()},
            "users": dict(users),
            "parent_pid": os.getpid(),
        }
        stderr = tempfile.TemporaryFile(mode="w+", prefix="reference-catalog-")
        process = subprocess.Popen(
            [sys.executable, "-m", "quilt_mcp_conformance.catalog", "--schema", schema, "--port", "0",
             "--s3-endpoint", s3_endpoint, "--config", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, **env, "AWS_ENDPOINT_URL": s3_endpoint},
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(config))
        process.stdin.close()
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        try:
            while True:
                line = lines.get(timeout=timeout)
                if line is None:
                    break
                if line.startswith(READY_PREFIX):
                    return cls(process, line[len(READY_PREFIX) :].strip(), schema, s3_endpoint, secret, admin)
        except queue.Empty:
            pass
        process.kill()
        process.wait()
        stderr.seek(0)
        tail = stderr.read()[-4000:]
        raise CatalogStartError(f"reference catalog ({schema}) did not start within {timeout}s; stderr:\n{tail}")

    # credentials -----------------------------------------------------------

    def token_for(self, user: str, ttl: float = DEFAULT_TTL) -> str:
        """A registry token for ``user``, valid ``ttl`` seconds (negative: expired; an unknown user: refused)."""
        return mint_token(self._secret, user, ttl)

    def api_key_for(self, user: str) -> str:
        """A new ``qk_`` API key for ``user`` (a known user)."""
        return self._control("api_key", {"user": user})["key"]

    def revoke(self, bearer: str) -> bool:
        """Revoke a registry token (by its ``uuid`` claim) or an API key; True when something was revoked."""
        return bool(self._control("revoke", {"bearer": bearer})["revoked"])

    def grant(self, role: str, *buckets: str) -> None:
        """Add ``buckets`` to ``role`` (created when new), effective for the next request."""
        self._control("grant", {"role": role, "buckets": list(buckets)})

    # faults ----------------------------------------------------------------

    def set_faults(
        self,
        *,
        latency: float = 0.0,
        status_5xx: int | None = None,
        status_5xx_count: int | None = None,
        operation_error: str | None = None,
        credential_ttl: int | None = None,
    ) -> None:
        """Replace the fault setting (no arguments: no faults). See ``catalog.faults`` for each one."""
        self._control(
            "faults",
            {
                "latency": latency,
                "status_5xx": status_5xx,
                "status_5xx_count": status_5xx_count,
                "operation_error": operation_error,
                "credential_ttl": credential_ttl,
            },
        )

    # lifecycle -------------------------------------------------------------

    def stop(self) -> None:
        """Terminate the subprocess (kill after 10 s) and wait for it."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ReferenceCatalog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _control(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/_control/{action}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Admin-Secret": self._admin},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"catalog control {action!r} failed: HTTP {exc.code} {exc.read().decode()}") from None
