"""The iam backend works with quilt3 made unimportable, and never imports it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys

    class BlockQuilt3(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "quilt3" or name.startswith("quilt3."):
                raise ImportError("quilt3 is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockQuilt3())
    try:
        import quilt3  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker does not work")

    from quilt_mcp.auth import AuthContext
    from quilt_mcp.models import EntrySource
    from quilt_mcp_iam import plugin

    context = AuthContext.from_environment()
    candidate = plugin.quilt_mcp_detect(context)
    assert candidate.usable, candidate.reason
    ops = plugin.quilt_mcp_open(candidate, context)
    registry = context.settings.default_registry

    data = sys.argv[1]
    first = ops.create_revision(
        registry,
        "offline/pkg",
        [EntrySource(logical_key="a/readme.md", text="# offline"), EntrySource(logical_key="raw/", source=data)],
        message="no cloud",
        user_meta={"k": "v"},
    )
    second = ops.update_revision(registry, "offline/pkg", add=[EntrySource(logical_key="b.txt", text="b")])
    assert [i.path for i in ops.browse(registry, "offline/pkg").items] == ["a/", "b.txt", "raw/"]
    assert ops.read_entry(registry, "offline/pkg", "raw/x.csv").content == "1,2\\n"
    assert ops.read_entry(registry, "offline/pkg", "a/readme.md", first.top_hash).content == "# offline"
    assert ops.diff(registry, "offline/pkg", first.top_hash, second.top_hash).added == ["b.txt"]
    assert ops.search_packages(registry, "no cloud").items == []  # latest message is None now
    assert ops.delete_revision(registry, "offline/pkg", "latest").latest == first.top_hash
    assert [p.name for p in ops.list_packages(registry).items] == ["offline/pkg"]
    assert not any(m == "quilt3" or m.startswith("quilt3.") for m in sys.modules), "quilt3 was imported"
    print("OK", candidate.identity)
    """
)


def test_backend_works_with_quilt3_unimportable(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.csv").write_text("1,2\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QUILT_MCP_"))}
    env.update(
        QUILT_MCP_REGISTRIES=str(registry),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK local user"


def test_plugin_module_imports_nothing_heavy() -> None:
    """Loading the plugin (what discovery and ``doctor`` do) pulls in neither boto3 nor quilt3."""
    code = (
        "import sys, quilt_mcp_iam.plugin as p; p.quilt_mcp_backend_info(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'quilt3')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
