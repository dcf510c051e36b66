"""The PluginHost facade with plugin sets built in a fresh manager per test."""

from __future__ import annotations

import logging

import pytest

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.models import BackendInfo
from quilt_mcp.plugins import PluginHost
from quilt_mcp.settings import Settings
from quilt_mcp.tools_api import PluginTool

from .fakes import FakeBackend


def context(**settings) -> AuthContext:
    return AuthContext(env={}, settings=Settings(**settings))


def test_each_host_has_its_own_manager():
    first = PluginHost.from_plugins({"a": FakeBackend("a", 1)})
    second = PluginHost.from_plugins({"b": FakeBackend("b", 1)})

    assert first.names() == ["a"]
    assert second.names() == ["b"]


def test_plugin_missing_a_required_hook_is_rejected():
    class OnlyInfo:
        @hookimpl
        def quilt_mcp_backend_info(self):
            return BackendInfo(name="half", version="1", priority=1, capabilities=frozenset(), summary="")

    host = PluginHost.from_plugins({"half": OnlyInfo()})

    assert host.names() == []
    assert "quilt_mcp_detect, quilt_mcp_open" in host.failures[0].error


def test_plugin_with_an_unknown_hook_fails_validation():
    class Typo(FakeBackend):
        @hookimpl
        def quilt_mcp_detekt(self, context):
            return None

    host = PluginHost.from_plugins({"typo": Typo("typo", 1)})

    assert host.names() == []
    assert "quilt_mcp_detekt" in host.failures[0].error


def test_backend_info_must_use_the_entry_point_name():
    host = PluginHost.from_plugins({"alias": FakeBackend("real-name", 1)})

    assert host.names() == []
    assert "alias" in host.failures[0].error


def test_strict_mode_rejects_an_invalid_plugin_set():
    with pytest.raises(BackendUnavailableError, match="half"):
        PluginHost.from_plugins({"half": object()}, settings=Settings(strict_plugins=True))


def test_a_plugin_whose_detection_raises_does_not_hide_the_others():
    host = PluginHost.from_plugins(
        {"bad": FakeBackend("bad", 9, detect_error=RuntimeError("boom")), "ok": FakeBackend("ok", 1)}
    )

    detections = {d.plugin: d for d in host.detect(context())}

    assert detections["bad"].error == "RuntimeError: boom"
    assert detections["ok"].candidate.identity == "ok-user"


def test_open_of_an_unloaded_backend_says_how_to_install_it():
    """The extra comes from the quilt-mcp distribution's own metadata; a backend without one gets general advice."""
    host = PluginHost.from_plugins({"a": FakeBackend("a", 1)})
    [detection] = host.detect(context())
    iam, ghost = (detection.candidate.__class__(name, 1, "x", "y") for name in ("iam", "ghost"))

    with pytest.raises(BackendUnavailableError, match=r"pip install 'quilt-packages-mcp\[iam\]'"):
        host.open(iam, context())
    with pytest.raises(BackendUnavailableError, match="Install the plugin that provides it"):
        host.open(ghost, context())


def test_a_plugin_whose_info_hook_raises_keeps_its_traceback_in_the_debug_log(caplog):
    class Broken(FakeBackend):
        @hookimpl
        def quilt_mcp_backend_info(self):
            raise RuntimeError("info exploded")

    with caplog.at_level(logging.DEBUG, logger="quilt_mcp.plugins"):
        host = PluginHost.from_plugins({"broken": Broken("broken", 1)})

    assert host.failures[0].error == "RuntimeError: info exploded"
    assert any(r.levelno == logging.DEBUG and has_traceback(r) for r in caplog.records), caplog.text


def test_a_plugin_whose_tool_hook_raises_is_reported_and_skipped(caplog):
    """Like a detection error: logged for that plugin, the other plugins' tools still offered."""
    tool = PluginTool("ok_echo", "echo", lambda ops, text: text)
    host = PluginHost.from_plugins(
        {"ok": FakeBackend("ok", 1, tools=(tool,)), "bad": FakeBackend("bad", 1, tools_error=RuntimeError("no tools"))}
    )

    with caplog.at_level(logging.DEBUG, logger="quilt_mcp.plugins"):
        assert host.tools() == [("ok", tool)]

    assert host.tool_errors == {"bad": "RuntimeError: no tools"}
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert "'bad'" in warning.getMessage() and "no tools" in warning.getMessage()
    assert any(r.levelno == logging.DEBUG and has_traceback(r) for r in caplog.records)


def test_every_hook_is_called_through_pluggy():
    """pluggy's call monitoring (and so hookwrappers and tracing) sees every call the host makes."""
    host = PluginHost.from_plugins({"a": FakeBackend("a", 1), "b": FakeBackend("b", 2)})
    seen: list[tuple[str, list[str]]] = []
    host.pm.add_hookcall_monitoring(
        lambda hook, impls, kwargs: seen.append((hook, [impl.plugin_name for impl in impls])), lambda *args: None
    )

    host.backend_infos()
    [first, _] = host.detect(context())
    host.open(first.candidate, context())
    host.tools()

    assert ("quilt_mcp_backend_info", ["a"]) in seen
    assert ("quilt_mcp_detect", ["b"]) in seen
    assert ("quilt_mcp_open", ["a"]) in seen
    assert {hook for hook, _ in seen} == {"quilt_mcp_backend_info", "quilt_mcp_detect", "quilt_mcp_open", "quilt_mcp_tools"}


def has_traceback(record: logging.LogRecord) -> bool:
    """A traceback either still attached or already formatted (the redaction filter formats and scrubs it)."""
    return bool(record.exc_info) or "Traceback" in (record.exc_text or "")
