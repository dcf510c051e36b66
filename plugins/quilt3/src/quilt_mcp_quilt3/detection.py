"""Finding a ``quilt3 login`` session: cheap checks first, then the real quilt3.

``quilt-mcp doctor`` and server start-up ask every backend to detect. Most
machines with quilt3 installed have nobody logged in, so detection first
checks, without importing quilt3, whether quilt3 is installed and whether its
``auth.json`` holds any session. Only then is quilt3 imported, and the session
is confirmed with quilt3's own ``session.logged_in()``, ``get_registry_url()``
and ``get_boto3_session()``, and the AWS principal is asked of STS.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quilt_mcp import redaction
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import AuthRequiredError, QuiltMCPError
from quilt_mcp.settings import env_flag

from quilt_mcp_quilt3.errors import LOGIN_HINT, credentials_expired, mapped_errors
from quilt_mcp_quilt3.library import QUILT3_LOCK, quilt3_call

BACKEND = "quilt3"
PRIORITY = 300
DISABLE_ENV = "QUILT_DISABLE_QUILT3_SESSION"
APP_NAME, APP_AUTHOR = "Quilt", "QuiltData"  # quilt3.util.APP_NAME / APP_AUTHOR
STS_TIMEOUTS = {"connect_timeout": 2, "read_timeout": 5, "retries": {"max_attempts": 1}}


def quilt3_data_dir() -> Path:
    """The directory quilt3 keeps ``auth.json``, ``credentials.json`` and ``config.yml`` in.

    quilt3 fixes it at import as ``platformdirs.user_data_dir("Quilt", "QuiltData")``
    (``$XDG_DATA_HOME/Quilt`` on Linux); if quilt3 is already imported, its own
    value is used, since that is the one it will read.
    """
    util = sys.modules.get("quilt3.util")
    if util is not None:
        return Path(util.BASE_PATH)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def saved_sessions(data_dir: Path) -> int:
    """How many catalog sessions quilt3's ``auth.json`` holds (0 if none, missing or unreadable)."""
    try:
        content = json.loads((data_dir / "auth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(content, dict):
        return 0
    for tokens in content.values():
        if isinstance(tokens, dict):
            redaction.remember(tokens.get("access_token"), tokens.get("refresh_token"))
    return len(content)


@dataclass(frozen=True)
class Quilt3Session:
    """A confirmed quilt3 login: where it points and the AWS session its credentials give."""

    catalog_url: str
    registry_url: str
    default_registry: str | None
    boto3_session: Any


def _unusable(reason: str) -> Candidate:
    """A candidate that names nobody: ``reason`` says what is missing."""
    return Candidate(BACKEND, PRIORITY, "", reason, usable=False)


def detect(context: AuthContext) -> Candidate:
    """A usable candidate for a live quilt3 login session, or an unusable one saying what is missing."""
    if env_flag(context.env, DISABLE_ENV):
        return _unusable(f"quilt3 session detection is turned off by {DISABLE_ENV}")
    if importlib.util.find_spec("quilt3") is None:
        return _unusable("quilt3 is not installed (pip install 'quilt-packages-mcp[quilt3]')")
    data_dir = quilt3_data_dir()
    if not saved_sessions(data_dir):
        return _unusable(f"no quilt3 login session in {data_dir} (run `quilt3 login`)")
    try:
        session = open_session()
    except QuiltMCPError as err:
        return _unusable(str(err))
    try:
        principal = aws_principal(session.boto3_session)
    except AuthRequiredError as err:
        return _unusable(str(err))
    except QuiltMCPError as err:  # STS unreachable: the session may still work for S3
        principal = f"unknown AWS principal ({err.message})"
    return Candidate(
        BACKEND,
        PRIORITY,
        principal,
        f"quilt3 is logged in to {session.catalog_url}",
        registry=session.default_registry,
        details={"catalog_url": session.catalog_url, "registry_url": session.registry_url, "aws_principal": principal},
        credential=session,
    )


def open_session() -> Quilt3Session:
    """The live quilt3 login session, confirmed through quilt3 itself.

    ``AuthRequiredError`` if quilt3 is not logged in, holds no AWS
    credentials, or its credentials expired and cannot be renewed.
    """
    with quilt3_call() as quilt3:
        catalog_url = quilt3.session.logged_in()
        registry_url = quilt3.session.get_registry_url()
        if not catalog_url:
            raise AuthRequiredError(f"quilt3 is not logged in to its catalog ({registry_url or 'none configured'}).", LOGIN_HINT)
        with mapped_errors("Loading the quilt3 session"):
            try:
                boto3_session = quilt3.session.get_boto3_session(fallback=False)
            except quilt3.util.QuiltException as err:
                raise AuthRequiredError(f"quilt3 is logged in to {catalog_url} but holds no AWS credentials ({err}).", LOGIN_HINT) from err
            default_registry = quilt3.util.get_from_config("default_remote_registry")
        fresh_credentials(boto3_session)
    return Quilt3Session(catalog_url, registry_url, default_registry, boto3_session)


def fresh_credentials(boto3_session: Any) -> Any:
    """The session's current AWS credentials, renewed through the catalog if they expired.

    ``AuthRequiredError`` if there are none or renewal fails.
    """
    credentials = boto3_session.get_credentials()
    if credentials is None:
        raise AuthRequiredError("The quilt3 session holds no AWS credentials.", LOGIN_HINT)
    botocore_log = logging.getLogger("botocore.credentials")
    try:
        # Renewal goes through quilt3's process-global catalog session; a failure is reported
        # below as an AuthRequiredError, so botocore's own warning and traceback are left out.
        with QUILT3_LOCK:
            botocore_log.addFilter(_drop)
            try:
                frozen = credentials.get_frozen_credentials()
                redaction.remember(frozen.secret_key, frozen.token)
                return frozen
            finally:
                botocore_log.removeFilter(_drop)
    except Exception as err:  # noqa: BLE001 - any failure to renew means the login is unusable
        raise credentials_expired(err) from err


def _drop(record: logging.LogRecord) -> bool:
    return False


def aws_principal(boto3_session: Any) -> str:
    """The ARN STS reports for the session's credentials (short timeouts)."""
    from botocore.config import Config

    with mapped_errors("Asking AWS STS who the quilt3 credentials belong to"):
        sts = boto3_session.client("sts", config=Config(**STS_TIMEOUTS))
        return str(sts.get_caller_identity()["Arn"])
