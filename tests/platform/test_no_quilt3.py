"""The platform backend imports neither quilt3 nor the old ``httpx`` nor the conformance package,
and loading its plugin module imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.platform.conftest import Site

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys

    BLOCKED = ("quilt3", "httpx", "quilt_mcp_conformance")

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())
    from quilt_mcp.auth import AuthContext
    from quilt_mcp_platform import credentials, plugin
    from quilt_mcp_platform.detect import detect
    from quilt_mcp_platform import ops, searching, writing
    from quilt_mcp_platform.graphql import client, operations, results

    context = AuthContext.from_environment({"QUILT_MCP_REGISTRY_URL": sys.argv[1], "QUILT_API_KEY": sys.argv[2]})
    candidate = detect(context)
    assert candidate.usable, candidate.reason
    with candidate.credential.client() as catalog:
        assert credentials.fetch_credentials(catalog).access_key
    assert not {m.split(".")[0] for m in sys.modules} & set(BLOCKED), "a blocked package was imported"
    print("OK", candidate.identity)
    """
)


def test_backend_detects_and_fetches_credentials_with_quilt3_httpx_and_conformance_unimportable(
    catalog: Site,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, catalog.url, catalog.key], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK ada@example.com"


def test_plugin_module_imports_nothing_heavy() -> None:
    """Loading the plugin (what discovery and ``doctor`` do) pulls in no HTTP, GraphQL, AWS or quilt3 library."""
    code = (
        "import sys, quilt_mcp_platform.plugin as p; p.quilt_mcp_backend_info(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'quilt3', 'httpx', 'httpx2', 'sgqlc'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
