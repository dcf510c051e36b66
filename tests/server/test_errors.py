"""What a client reads when something goes wrong: what was wrong and what to do, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import quilt_mcp_iam.plugin as iam_plugin
from quilt_mcp import capabilities as cap
from quilt_mcp.errors import NotFoundError, PermissionDeniedError
from quilt_mcp.plugins import PluginHost
from quilt_mcp.server import build_server
from quilt_mcp.server.backend import BackendSession
from quilt_mcp.settings import Settings

from .conftest import connect, error_text, iam_settings, open_iam
from .fakes import exploding, InfoPlugin, restricted


@pytest.fixture
def local_registry(infra: Any) -> str:
    return str(infra.new_dir("registry"))


async def test_a_domain_error_reaches_the_client_as_its_message_and_hint(local_registry, protocol):
    with pytest.raises(NotFoundError) as raised:
        open_iam(local_registry).package_info(local_registry, "team/missing")

    async with connect(build_server(iam_settings(local_registry)), protocol) as client:
        text = await error_text(client, "package_info", name="team/missing")

    assert raised.value.hint
    assert text == str(raised.value)


async def test_an_invalid_name_says_what_a_valid_one_looks_like(local_registry, protocol):
    async with connect(build_server(iam_settings(local_registry)), protocol) as client:
        text = await error_text(client, "package_info", name="no_slash_here")

    assert "'no_slash_here'" in text and "namespace/name" in text


async def test_no_registry_anywhere_says_how_to_configure_one(protocol):
    async with connect(build_server(Settings(backend="iam")), protocol) as client:
        text = await error_text(client, "package_list")

    assert text.startswith("No registry given") and "--registry" in text and "QUILT_MCP_REGISTRIES" in text


async def test_arguments_out_of_bounds_are_named_with_their_bound(local_registry, protocol):
    async with connect(build_server(iam_settings(local_registry)), protocol) as client:
        text = await error_text(client, "package_list", limit=0)

    assert text.startswith("Invalid arguments for tool 'package_list': limit:")
    assert "greater than or equal to 1" in text and "(got 0)" in text and "errors.pydantic.dev" not in text


def host_with_searcher() -> PluginHost:
    return PluginHost.from_plugins({"iam": iam_plugin, "searcher": InfoPlugin("searcher", frozenset({cap.SEARCH}))})


async def test_a_missing_capability_is_named_with_the_installed_backends_that_have_it(local_registry, protocol):
    ops = restricted(open_iam(local_registry), drop={cap.SEARCH})
    server = build_server(iam_settings(local_registry), host=host_with_searcher(), ops=ops)

    async with connect(server, protocol) as client:
        text = await error_text(client, "package_search", query="anything")

    assert text.startswith("The iam backend cannot search packages: it lacks the 'search' capability.")
    assert "Installed backends that can: searcher." in text and "QUILT_MCP_BACKEND" in text


async def test_a_local_registry_needs_the_local_registry_capability(local_registry, protocol):
    ops = restricted(open_iam(local_registry), drop={cap.LOCAL_REGISTRY})
    server = build_server(iam_settings(local_registry), host=PluginHost.from_plugins({"iam": iam_plugin}), ops=ops)

    async with connect(server, protocol) as client:
        text = await error_text(client, "package_list")

    assert "cannot use a local directory as a registry" in text
    assert "No installed backend declares 'local_registry'" in text


async def test_an_unexpected_exception_is_reported_as_a_bug_without_its_details(local_registry, protocol, caplog):
    server = build_server(iam_settings(local_registry), ops=exploding(open_iam(local_registry)))

    with caplog.at_level(logging.ERROR, logger="quilt_mcp.server"):
        async with connect(server, protocol) as client:
            text = await error_text(client, "package_list")

    assert text.startswith("Internal error in tool 'package_list' (KeyError). This is a bug, please report it")
    assert "secret-internal-detail" not in text and "Traceback" not in text
    logged = [r for r in caplog.records if r.name == "quilt_mcp.server" and (r.exc_info or r.exc_text)]
    assert logged and "secret-internal-detail" in (logged[0].exc_text or str(logged[0].exc_info[1]))


async def test_user_errors_log_no_error_line_and_no_traceback_above_debug(s3_registry, caplog):
    caplog.set_level(logging.INFO)
    async with connect(build_server(iam_settings(s3_registry)), "legacy") as client:
        await error_text(client, "package_info", name="team/missing")
        with pytest.raises(Exception, match="team/missing"):
            await client.read_resource(f"quilt+s3://{s3_registry[5:]}#package=team/missing@latest")

    loud = [r for r in caplog.records if r.levelno > logging.INFO or r.exc_info or r.exc_text]
    assert loud == [], [r.getMessage() for r in loud]
    assert any("team/missing" in r.getMessage() for r in caplog.records), "the error is still logged at INFO"


@pytest.mark.parametrize("where", ["/etc", "/root", ".", "/proc/self/root/tmp", "other"])
async def test_a_local_registry_must_be_one_the_server_was_given(local_registry, infra, where, protocol):
    registry = str(infra.new_dir("unconfigured")) if where == "other" else where
    async with connect(build_server(iam_settings(local_registry)), protocol) as client:
        for tool, arguments in (
            ("package_list", {}),
            ("package_create", {"name": "team/pkg", "entries": [{"logical_key": "a.txt", "text": "a"}]}),
        ):
            text = await error_text(client, tool, registry=registry, **arguments)
            assert "is not one of this server's registries" in text and "--registry" in text


def test_a_configured_local_registry_means_the_directory_it_named_when_first_compared(infra):
    first, then = infra.new_dir("first"), infra.new_dir("then")
    link = infra.new_dir("links") / "registry"
    link.symlink_to(first)
    session = BackendSession(Settings(registries=(str(link),)), PluginHost.from_plugins({}))
    assert session.registry(str(first)) == str(first)

    link.unlink()
    link.symlink_to(then)  # as the backend, opened with the registry, keeps the directory it resolved

    assert session.registry(str(first)) == str(first)
    with pytest.raises(PermissionDeniedError, match="not one of this server's registries"):
        session.registry(str(then))


async def test_local_sources_come_only_from_the_allowed_roots(local_registry, infra, protocol):
    allowed, elsewhere = infra.new_dir("allowed"), infra.new_dir("elsewhere")
    (allowed / "in.txt").write_text("in")
    (elsewhere / "out.txt").write_text("out")
    (allowed / "link.txt").symlink_to(elsewhere / "out.txt")
    settings = iam_settings(local_registry, local_source_roots=(str(allowed),))
    async with connect(build_server(settings), protocol) as client:
        for refused in (elsewhere / "out.txt", allowed / "link.txt"):
            entries = [{"logical_key": "a.txt", "source": str(refused)}]
            text = await error_text(client, "package_create", name="team/pkg", entries=entries)
            assert "outside the directories this server may read from" in text and "--local-source-root" in text
        result = await client.call_tool(
            "package_create", {"name": "team/pkg", "entries": [{"logical_key": "a.txt", "source": str(allowed / "in.txt")}]}
        )
        assert not result.is_error


async def test_local_sources_are_off_over_http_unless_roots_are_configured(local_registry, infra, protocol):
    source = infra.new_dir("src") / "f.txt"
    source.write_text("x")
    settings = iam_settings(local_registry, transport="http")
    async with connect(build_server(settings), protocol) as client:
        entries = [{"logical_key": "a.txt", "source": str(source)}]
        text = await error_text(client, "package_create", name="team/pkg", entries=entries)
    assert "Local sources are off when serving over HTTP" in text
