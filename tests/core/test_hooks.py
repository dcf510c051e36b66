"""One test per hook, and a meta-test that fails when a hookspec has no test here."""

from __future__ import annotations

import inspect
import sys

from pydantic import BaseModel

from quilt_mcp import hookspecs
from quilt_mcp.auth import AuthContext
from quilt_mcp.plugins import PluginHost
from quilt_mcp.settings import Settings
from quilt_mcp.tools_api import PluginTool

from .fakes import FakeBackend

CTX = AuthContext(env={}, settings=Settings())


class Echo(BaseModel):
    text: str


def echo(ops, text: str) -> Echo:
    return Echo(text=text)


def test_hook_backend_info_is_collected_per_plugin_name():
    host = PluginHost.from_plugins({"b": FakeBackend("b", 2), "a": FakeBackend("a", 1, capabilities=frozenset())})

    infos = host.backend_infos()

    assert list(infos) == ["a", "b"]
    assert infos["b"].priority == 2
    assert infos["a"].capabilities == frozenset()


def test_hook_detect_answers_candidate_nothing_or_unusable():
    host = PluginHost.from_plugins(
        {"yes": FakeBackend("yes", 1), "none": FakeBackend("none", 1, usable=None), "no": FakeBackend("no", 1, usable=False)}
    )

    answers = {d.plugin: d.candidate for d in host.detect(CTX)}

    assert answers["yes"].usable and answers["yes"].reason == "test credential present"
    assert answers["none"] is None
    assert answers["no"].usable is False


def test_hook_open_is_answered_only_by_the_candidates_own_plugin():
    first, second = FakeBackend("first", 1), FakeBackend("second", 2)
    host = PluginHost.from_plugins({"first": first, "second": second})
    candidate = next(d.candidate for d in host.detect(CTX) if d.plugin == "first")

    assert host.open(candidate, CTX) == "ops-of-first"
    assert first.opened == [candidate]
    assert second.opened == []


def test_hook_tools_are_gathered_in_plugin_name_order():
    tool_b = PluginTool("b_echo", "echo from b", echo)
    tool_a = PluginTool("a_echo", "echo from a", echo)
    host = PluginHost.from_plugins({"b": FakeBackend("b", 1, tools=(tool_b,)), "a": FakeBackend("a", 1, tools=(tool_a,))})

    assert host.tools() == [("a", tool_a), ("b", tool_b)]
    assert tool_a.fn(None, text="hi") == Echo(text="hi")


def test_every_hookspec_has_a_test_in_this_module():
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("quilt_mcp_")]
    tests = [name for name in dir(sys.modules[__name__]) if name.startswith("test_hook_")]

    untested = [h for h in hooks if not any(t.startswith(f"test_hook_{h.removeprefix('quilt_mcp_')}_") for t in tests)]

    assert hooks, "no hookspecs found"
    assert untested == [], f"hookspecs without a test_hook_<name>_... test: {untested}"


def test_every_hookspec_states_its_contract():
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("quilt_mcp_"):
            assert fn.__doc__ and "eturn" in fn.__doc__, f"{name} must document what it returns"


def test_no_hook_is_firstresult_since_the_host_asks_one_plugin_at_a_time():
    host = PluginHost.from_plugins({})
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("quilt_mcp_")]

    assert [h for h in hooks if getattr(host.pm.hook, h).spec.opts.get("firstresult")] == []
