"""The core stays light: no quilt3 or boto3 in its requirements or on its import path."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

from packaging.requirements import Requirement


def test_core_requires_neither_quilt3_nor_boto3_unless_an_extra_is_asked_for():
    requirements = [Requirement(r) for r in importlib.metadata.requires("quilt-packages-mcp") or []]
    base = {r.name for r in requirements if r.marker is None}
    extras = {r.name for r in requirements if r.marker is not None}

    assert not base & {"quilt3", "boto3", "botocore"}
    assert {"quilt-packages-mcp-iam", "quilt-packages-mcp-quilt3", "quilt-packages-mcp-platform"} <= extras


def test_extras_select_backends():
    metadata = importlib.metadata.metadata("quilt-packages-mcp")

    assert {"iam", "quilt3", "platform", "all"} <= set(metadata.get_all("Provides-Extra"))


def test_importing_the_core_and_discovering_plugins_imports_no_heavy_library():
    code = (
        "import sys, quilt_mcp, quilt_mcp.cli, quilt_mcp.doctor, quilt_mcp.selection;"
        "from quilt_mcp.plugins import PluginHost; PluginHost.discover();"
        "print(sorted(m for m in ('quilt3', 'boto3', 'botocore', 'fastmcp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "[]"
