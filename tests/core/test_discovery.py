"""Discovery through real entry points: broken plugins, disabling, strict mode."""

from __future__ import annotations

import importlib.metadata
import logging
import uuid

import pytest

from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.plugins import ENTRY_POINT_GROUP, PluginHost
from quilt_mcp.settings import Settings

from .fakes import GOOD_PLUGIN_SOURCE, make_distribution


@pytest.fixture
def fake_group(tmp_path, monkeypatch):
    """A fresh entry-point group with a good plugin and one that raises on import."""
    group = f"quilt_mcp_test_{uuid.uuid4().hex}"
    dist = f"fake{uuid.uuid4().hex[:8]}"
    make_distribution(
        tmp_path,
        dist,
        group,
        {
            "good": GOOD_PLUGIN_SOURCE.format(name="good", priority=50),
            "broken": "raise ImportError('simulated missing dependency')\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return group


def test_plugin_that_raises_on_import_is_recorded_and_others_still_load(fake_group):
    host = PluginHost.discover(Settings(), group=fake_group)

    assert host.names() == ["good"]
    [failure] = host.failures
    assert failure.name == "broken"
    assert "simulated missing dependency" in failure.error
    assert failure.version == "1.0"


def test_strict_mode_makes_an_import_failure_fatal(fake_group):
    with pytest.raises(BackendUnavailableError, match="broken.*simulated missing dependency"):
        PluginHost.discover(Settings(strict_plugins=True), group=fake_group)


def test_disabled_plugin_is_never_imported(fake_group):
    host = PluginHost.discover(Settings(disabled_plugins=frozenset({"broken"})), group=fake_group)

    assert host.names() == ["good"]
    assert host.failures == []


def test_discovered_plugin_reports_its_distribution_version(fake_group):
    host = PluginHost.discover(Settings(disabled_plugins=frozenset({"broken"})), group=fake_group)

    assert host.versions == {"good": "1.0"}
    assert host.backend_infos()["good"].priority == 50


def test_every_installed_backend_entry_point_is_loaded_or_reported():
    installed = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}

    host = PluginHost.discover(Settings())

    assert set(host.names()) | {f.name for f in host.failures} == installed


def test_a_load_failure_keeps_its_traceback_in_the_debug_log(fake_group, caplog):
    """The WARNING says what failed; the DEBUG record carries the traceback, for a plugin author to follow."""
    with caplog.at_level(logging.DEBUG, logger="quilt_mcp.plugins"):
        PluginHost.discover(Settings(), group=fake_group)

    # Once quilt_mcp.redaction is installed in this process, a record's traceback is carried as scrubbed exc_text.
    traced = [
        r
        for r in caplog.records
        if r.levelno == logging.DEBUG and (r.exc_info or r.exc_text) and "'broken'" in r.getMessage()
    ]
    assert traced, caplog.text
    assert "simulated missing dependency" in caplog.text
    assert "Traceback" in caplog.text
