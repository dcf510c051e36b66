"""``quilt-mcp serve`` as a real stdio subprocess, driven by the ``mcp`` SDK client; its command line."""

from __future__ import annotations

import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from quilt_mcp.cli import build_parser, main, settings_from_args
from quilt_mcp.ops import OPERATIONS
from quilt_mcp.settings import Settings


async def test_serve_the_default_command_answers_mcp_on_stdout_and_logs_only_on_stderr(infra: Any, tmp_path: Path):
    registry = infra.new_dir("registry")
    command = Path(sys.executable).with_name("quilt-mcp")
    params = StdioServerParameters(
        command=str(command),
        args=["--registry", str(registry), "--log-level", "DEBUG"],  # no subcommand: serve is the default
        env={**os.environ, "QUILT_MCP_BACKEND": "iam"},
    )
    garbage: list[Exception] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, Exception):
            garbage.append(message)

    with (tmp_path / "stderr.log").open("w") as stderr:
        async with Client(stdio_client(params, errlog=stderr), message_handler=on_message) as client:
            tools = await client.list_tools()
            created = await client.call_tool(
                "package_create", {"name": "team/data", "entries": [{"logical_key": "a.txt", "text": "hello"}]}
            )
            read = await client.call_tool("entry_read", {"name": "team/data", "logical_key": "a.txt"})
            missing = await client.call_tool("package_info", {"name": "team/missing"})

    assert len(tools.tools) == len(OPERATIONS) + 2
    assert not created.is_error and created.structured_content["entry_count"] == 1
    assert read.structured_content["content"] == "hello"
    assert missing.is_error and "team/missing" in missing.content[0].text
    assert garbage == [], "the server wrote something other than JSON-RPC to stdout"
    assert "DEBUG" in (tmp_path / "stderr.log").read_text()


SET_FOR_QUILT3_NOT_READ = {"QUILT_MINIMIZE_STDOUT"}


def environment_variables_of_settings() -> set[str]:
    """Every QUILT_* variable the core or a plugin reads."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("core/src/**/*.py"), *root.glob("plugins/*/src/**/*.py")]
    named = {name for path in sources for name in re.findall(r'"(QUILT_[A-Z0-9_]+)"', path.read_text())}
    return named - SET_FOR_QUILT3_NOT_READ


def test_serve_help_documents_every_setting_as_a_flag_and_its_variable(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())

    variables = environment_variables_of_settings()
    assert set(re.findall(r"QUILT_MCP_[A-Z0-9_]+", inspect.getsource(Settings.from_env))) <= variables
    assert "QUILT_DISABLE_QUILT3_SESSION" in variables
    for variable in variables:
        assert variable in text, f"serve --help does not mention {variable}"
    flags = ("--backend", "--disable-plugins", "--strict-plugins", "--registry", "--read-only", "--log-level")
    flags += ("--s3-connect-timeout", "--s3-read-timeout", "--local-source-root")
    for flag in (*flags, "--catalog-url"):
        assert flag in text


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QUILT_MCP_REGISTRIES", "s3://from-env")
    monkeypatch.setenv("QUILT_MCP_CATALOG_URL", "https://env.example.com")
    monkeypatch.setenv("QUILT_MCP_READ_ONLY", "1")

    from_env = settings_from_args(build_parser().parse_args(["serve"]))
    from_flags = settings_from_args(
        build_parser().parse_args(["serve", "--registry", "s3://a", "--registry", "/b", "--catalog-url", "https://c"])
    )

    assert (from_env.registries, from_env.catalog_url, from_env.read_only) == (
        ("s3://from-env",), "https://env.example.com", True
    )
    assert (from_flags.registries, from_flags.catalog_url) == (("s3://a", "/b"), "https://c")
