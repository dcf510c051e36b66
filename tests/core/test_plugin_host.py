"""The PluginHost facade with plugin sets built in a fresh manager per test."""

from __future__ import annotations

import pytest

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.models import BackendInfo
from quilt_mcp.plugins import PluginHost
from quilt_mcp.settings import Settings

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


def test_open_of_an_unloaded_backend_says_how_to_install_it_when_an_extra_provides_it():
    host = PluginHost.from_plugins({"a": FakeBackend("a", 1)})
    [detection] = host.detect(context())
    iam = detection.candidate.__class__("iam", 1, "x", "y")
    ghost = detection.candidate.__class__("ghost", 1, "x", "y")

    with pytest.raises(BackendUnavailableError, match=r"pip install 'quilt-packages-mcp\[iam\]'"):
        host.open(iam, context())
    with pytest.raises(BackendUnavailableError) as err:
        host.open(ghost, context())
    assert "pip install" not in err.value.hint
