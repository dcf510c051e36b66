"""``python -m quilt_mcp_conformance.catalog`` runs alone: its own moto S3, a demo user, URL and token printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.catalog.support import http


def test_alone_it_prints_a_url_and_a_demo_token_that_work(tmp_path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "quilt_mcp_conformance.catalog", "--port", "0", "--schema", "previous"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        url = lines[0].removeprefix("catalog: ").strip()
        token = lines[3].rsplit("token: ", 1)[1].strip()
        query = json.dumps({"query": "{ me { name } bucketConfigs { name } }"}).encode()
        status, body = http(f"{url}/graphql", bearer=token, body=query)
        assert status == 200
        assert body["data"] == {"me": {"name": "demo"}, "bucketConfigs": [{"name": "quilt-demo"}]}
    finally:
        process.terminate()
        process.wait(timeout=30)
