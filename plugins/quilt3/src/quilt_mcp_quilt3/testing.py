"""Test support: a quilt3 login home written exactly as ``quilt3 login`` writes it.

``quilt3 login`` leaves three files in quilt3's data directory: ``config.yml``
(the catalog's configuration, from quilt3's template), ``auth.json`` (the
catalog's tokens, by registry URL) and ``credentials.json`` (the AWS
credentials the catalog issued). ``log_in`` writes them with quilt3's own
writers; the AWS keys default to moto's test keys, so quilt3's boto3 session
talks to the moto server named by ``AWS_ENDPOINT_URL``. Used by the
conformance harness and the plugin's tests only.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from quilt_mcp_quilt3.library import QUILT3_LOCK, load_quilt3, require_test_attributes

UNREACHABLE_REGISTRY = "http://127.0.0.1:1"
"""A registry URL nothing listens on: any attempt to renew credentials fails at once."""


def _quilt3() -> ModuleType:
    """quilt3, checked for the private helpers this module uses as well as the backend's attributes."""
    quilt3 = load_quilt3()
    require_test_attributes(quilt3)
    return quilt3


def log_in(
    *,
    catalog_url: str = "https://catalog.test.quilt-mcp.invalid",
    registry_url: str = UNREACHABLE_REGISTRY,
    expires_in: float = 3600,
    default_registry: str | None = None,
    region: str = "us-east-1",
    access_key: str = "testing",
    secret_key: str = "testing",
    session_token: str = "testing",
) -> Path:
    """Write a logged-in quilt3 home into quilt3's data dir and return that dir.

    ``expires_in`` (seconds, negative for the past) sets when both the catalog
    access token and the AWS credentials expire.
    """
    quilt3 = _quilt3()
    expires_at = time.time() + expires_in
    with QUILT3_LOCK:
        config = quilt3.util.read_yaml(quilt3.util.CONFIG_TEMPLATE)
        config.update(
            navigator_url=catalog_url,
            registryUrl=registry_url,
            region=region,
            default_remote_registry=default_registry,
        )
        quilt3.util.write_yaml(config, quilt3.util.CONFIG_PATH)
        quilt3.session._save_auth(
            {registry_url: {"refresh_token": "test-refresh-token", "access_token": "test-access-token", "expires_at": expires_at}}
        )
        quilt3.session._save_credentials(
            {
                "access_key": access_key,
                "secret_key": secret_key,
                "token": session_token,
                "expiry_time": datetime.fromtimestamp(expires_at, UTC).isoformat(),
            }
        )
        quilt3.session.clear_session()
    return Path(quilt3.util.BASE_PATH)


def log_out() -> None:
    """Remove the login files from quilt3's data dir (what a machine never logged in looks like)."""
    quilt3 = _quilt3()
    with QUILT3_LOCK:
        for path in (quilt3.session.AUTH_PATH, quilt3.session.CREDENTIALS_PATH, quilt3.util.CONFIG_PATH):
            Path(path).unlink(missing_ok=True)
        quilt3.session.clear_session()


def forget_catalog_session() -> None:
    """Remove only ``auth.json``: detection then sees no login, while quilt3 keeps its AWS credentials."""
    quilt3 = _quilt3()
    with QUILT3_LOCK:
        Path(quilt3.session.AUTH_PATH).unlink(missing_ok=True)
        quilt3.session.clear_session()
