"""``quilt-mcp doctor``: plugins, detections, the choice, and the no-backend exit code."""

from __future__ import annotations

import json

from quilt_mcp import hookimpl
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.cli import main
from quilt_mcp.doctor import diagnose
from quilt_mcp.plugins import LoadFailure, PluginHost
from quilt_mcp.settings import Settings

from .fakes import FakeBackend


def test_report_shows_each_plugin_its_detection_and_the_choice():
    host = PluginHost.from_plugins({"iam": FakeBackend("iam", 100), "quilt3": FakeBackend("quilt3", 300, usable=False)})

    report = diagnose(host, AuthContext(env={}, settings=Settings()))
    text = report.to_text()

    assert report.ok
    assert "iam 9.9 (priority 100; capabilities: read)" in text
    assert "quilt3" in text and "not usable, as quilt3-user: no test credential" in text
    assert "Chosen backend: iam acting as iam-user" in text


class Anonymous(FakeBackend):
    """A backend that finds no credential and so names nobody."""

    @hookimpl
    def quilt_mcp_detect(self, context: AuthContext) -> Candidate:
        return Candidate(self.name, self.priority, "", "no credentials found", usable=False)


def test_a_detection_without_identity_is_shown_without_an_empty_as():
    host = PluginHost.from_plugins({"iam": Anonymous("iam", 100)})

    text = diagnose(host, AuthContext(env={}, settings=Settings())).to_text()

    assert "detected: not usable: no credentials found" in text and "as :" not in text


def test_report_asks_each_plugin_to_detect_once():
    plugins = {"iam": FakeBackend("iam", 100), "quilt3": FakeBackend("quilt3", 300, usable=False)}

    diagnose(PluginHost.from_plugins(plugins), AuthContext(env={}, settings=Settings()))

    assert {name: p.detect_calls for name, p in plugins.items()} == {"iam": 1, "quilt3": 1}


def test_report_lists_load_failures():
    host = PluginHost.from_plugins({"iam": FakeBackend("iam", 100)})
    host.failures.append(LoadFailure("broken", "ImportError: no module named x", "quilt-mcp-broken", "0.3"))

    payload = json.loads(diagnose(host, AuthContext(env={}, settings=Settings())).to_json())

    broken = next(p for p in payload["plugins"] if p["name"] == "broken")
    assert broken["load_error"] == "ImportError: no module named x"
    assert broken["version"] == "0.3"


def test_doctor_exits_non_zero_and_says_what_to_do_without_a_backend(capsys, monkeypatch):
    monkeypatch.setenv("QUILT_MCP_DISABLE_PLUGINS", "iam,quilt3,platform")

    code = main(["doctor", "--json"])
    payload = json.loads(capsys.readouterr().out)

    assert code == 1
    assert payload["ok"] is False
    assert payload["chosen"] is None
    assert "pip install 'quilt-packages-mcp[iam]'" in payload["advice"]


def test_doctor_flag_overrides_environment(capsys, monkeypatch):
    monkeypatch.setenv("QUILT_MCP_DISABLE_PLUGINS", "")

    code = main(["doctor", "--json", "--disable-plugins", "iam,quilt3", "--backend", "iam"])
    payload = json.loads(capsys.readouterr().out)

    assert code == 1
    assert "forced backend 'iam' (--backend or QUILT_MCP_BACKEND)" in payload["problem"]
