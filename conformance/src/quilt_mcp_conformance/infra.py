"""Per-worker test services: a moto S3 server on loopback and an isolated home.

``isolate_environment`` must run before quilt3 is imported (quilt3 fixes its
data directory at import time), so the pytest plugin calls it from
``pytest_configure`` in every process, controller and xdist workers alike.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def isolate_environment(root: Path) -> dict[str, str]:
    """Point HOME, XDG dirs and AWS config at ``root`` and disable quilt3 telemetry.

    Returns the variables it set (also applied to ``os.environ``). Nothing
    from the developer's real home (AWS profiles, quilt3 login) can leak in.
    """
    env = {
        "HOME": str(root / "home"),
        "XDG_DATA_HOME": str(root / "xdg-data"),
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "XDG_CONFIG_HOME": str(root / "xdg-config"),
        "AWS_CONFIG_FILE": str(root / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(root / "aws-credentials"),
        "QUILT_DISABLE_USAGE_METRICS": "true",
        **AWS_TEST_ENV,
    }
    for key in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "QUILT_MCP_BACKEND", "QUILT_MCP_REGISTRIES"):
        os.environ.pop(key, None)
    os.environ.update(env)
    return env


def fix_moto_delimited_listing() -> None:
    """Make moto's delimited listings leave out prefixes holding only delete markers, as S3 does.

    moto 5.2.5 builds ``CommonPrefixes`` from every key's newest version,
    delete markers included, so in a versioned bucket a "folder" whose
    objects were all deleted is still listed. S3 lists only current objects.
    Idempotent; applied in-process before the threaded server starts.
    """
    from moto.s3.models import FakeDeleteMarker, S3Backend

    original = S3Backend.list_objects
    if getattr(original, "_quilt_mcp_fixed", False):
        return

    def list_objects(self, bucket, prefix, delimiter, marker, max_keys):  # type: ignore[no-untyped-def]
        keys, folders, truncated, next_marker = original(self, bucket, prefix, delimiter, marker, max_keys)
        if delimiter and folders:
            start = prefix or ""
            live = set()
            for name, key in bucket.keys.items():
                if name.startswith(start) and not isinstance(key, FakeDeleteMarker):
                    rest = name[len(start) :]
                    if delimiter in rest:
                        live.add(f"{start}{rest.split(delimiter)[0]}{delimiter}")
            folders = [folder for folder in folders if folder in live]
        return keys, folders, truncated, next_marker

    list_objects._quilt_mcp_fixed = True  # type: ignore[attr-defined]
    S3Backend.list_objects = list_objects  # type: ignore[method-assign]


class MotoS3Server:
    """A moto server on 127.0.0.1 with a free port, stopped by ``stop()``."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        fix_moto_delimited_listing()

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()


def make_root() -> Path:
    """A fresh per-process scratch root."""
    return Path(tempfile.mkdtemp(prefix="quilt-mcp-test-"))
