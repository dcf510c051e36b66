"""No secret reaches stderr: every tool and ``doctor`` run at DEBUG, secrets in the environment and a quilt3 login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from quilt_mcp.ops import OPERATIONS

ENV_SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "envSecretAccessKey0123456789abcdefghijkl",
    "AWS_SESSION_TOKEN": "envSessionTokenIQoJb3JpZ2luX2VjE0123456789",
    "QUILT_API_KEY": "qk_envQuiltApiKey0123456789abcdef",
}
LOGIN_SECRETS = {
    "secret_key": "loginSecretKey0123456789abcdefghijklmnop",
    "token": "loginSessionTokenFwoGZXIvYXdzE0123456789",
    "access_token": "loginCatalogAccessToken0123456789",
    "refresh_token": "loginCatalogRefreshToken0123456789",
}
QUILT3_CONFIG = "navigator_url: https://catalog.test.invalid\nregistryUrl: {registry}\ndefault_remote_registry: {bucket}\n"


def logged_in_data_home(root: Path, bucket: str) -> Path:
    """An ``XDG_DATA_HOME`` holding a live ``quilt3 login`` (the files ``quilt3 login`` writes)."""
    quilt = root / "Quilt"
    quilt.mkdir(parents=True)
    registry = "http://127.0.0.1:1"
    (quilt / "config.yml").write_text(QUILT3_CONFIG.format(registry=registry, bucket=bucket))
    expires = time.time() + 3600
    (quilt / "auth.json").write_text(
        json.dumps({registry: {k: LOGIN_SECRETS[k] for k in ("access_token", "refresh_token")} | {"expires_at": expires}})
    )
    (quilt / "credentials.json").write_text(
        json.dumps(
            {
                "access_key": "AKIALOGINKEY00000001",
                "secret_key": LOGIN_SECRETS["secret_key"],
                "token": LOGIN_SECRETS["token"],
                "expiry_time": datetime.fromtimestamp(expires, UTC).isoformat(),
            }
        )
    )
    return root


def leaked(text: str) -> list[str]:
    return [name for name, value in (ENV_SECRETS | LOGIN_SECRETS).items() if value in text]


def every_tool_call(bucket: str) -> list[tuple[str, dict[str, Any]]]:
    """One call of every tool, on a package it first creates in ``bucket``."""
    pkg = {"name": "team/data"}
    return [
        ("package_create", {**pkg, "entries": [{"logical_key": "a.txt", "text": "hello"}]}),
        ("package_update", {**pkg, "add": [{"logical_key": "b.txt", "text": "more"}]}),
        ("package_list", {}),
        ("package_revisions", pkg),
        ("package_resolve", pkg),
        ("package_info", pkg),
        ("package_browse", pkg),
        ("entry_info", {**pkg, "logical_key": "a.txt"}),
        ("entry_read", {**pkg, "logical_key": "a.txt"}),
        ("entry_url", {**pkg, "logical_key": "a.txt"}),
        ("package_diff", {**pkg, "before": "latest"}),
        ("package_search", {"query": "data"}),
        ("package_links", pkg),
        ("bucket_list", {}),
        ("object_list", {"uri": f"s3://{bucket}/"}),
        ("object_info", {"uri": f"s3://{bucket}/.quilt/named_packages/team/data/latest"}),
        ("object_read", {"uri": f"s3://{bucket}/.quilt/named_packages/team/data/latest"}),
        ("auth_status", {}),
        ("revision_delete", {**pkg, "ref": "latest"}),
        ("package_delete", pkg),
    ]


@pytest.fixture
def secret_env(infra: Any, tmp_path: Path) -> tuple[dict[str, str], str]:
    bucket = infra.new_bucket()
    env = {**os.environ, **ENV_SECRETS, "XDG_DATA_HOME": str(logged_in_data_home(tmp_path / "xdg", f"s3://{bucket}"))}
    env.pop("QUILT_MCP_BACKEND", None)
    return env, bucket


@pytest.mark.parametrize("backend", ["quilt3", "iam"])
async def test_every_tool_at_debug_logs_no_secret(secret_env: tuple[dict[str, str], str], tmp_path: Path, backend: str):
    env, bucket = secret_env
    params = StdioServerParameters(
        command=str(Path(sys.executable).with_name("quilt-mcp")),
        args=["serve", "--log-level", "DEBUG", "--backend", backend, "--registry", f"s3://{bucket}"],
        env=env,
    )
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        async with Client(stdio_client(params, errlog=stderr)) as client:
            called = [tool.name for tool in (await client.list_tools()).tools]
            failed = []
            for tool, arguments in every_tool_call(bucket):
                result = await client.call_tool(tool, arguments)
                if result.is_error:
                    failed.append(f"{tool}: {result.content[0].text}")

    assert set(called) == {tool for tool, _ in every_tool_call(bucket)}, "a tool is missing from this test"
    assert not failed, failed
    text = log.read_text()
    assert "X-Amz-Security-Token" in text or "x-amz-security-token" in text, "botocore's DEBUG log did not run"
    assert leaked(text) == []


def test_doctor_at_debug_logs_no_secret(secret_env: tuple[dict[str, str], str]):
    env, _ = secret_env
    command = [str(Path(sys.executable).with_name("quilt-mcp")), "doctor", "--log-level", "DEBUG"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert "Chosen backend: quilt3" in done.stdout, done.stdout + done.stderr
    assert "DEBUG" in done.stderr
    assert leaked(done.stdout + done.stderr) == []
