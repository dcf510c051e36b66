"""Ranking, ties, forcing, disabling and the no-backend case."""

from __future__ import annotations

import itertools

import pytest

from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import AuthRequiredError, BackendUnavailableError
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import rank, select_backend
from quilt_mcp.settings import Settings

from .fakes import FakeBackend


def context(**settings) -> AuthContext:
    return AuthContext(env={}, settings=Settings(**settings))


def test_higher_priority_wins():
    host = PluginHost.from_plugins({"iam": FakeBackend("iam", 100), "quilt3": FakeBackend("quilt3", 300)})

    selection = select_backend(host, context())

    assert selection.chosen.backend == "quilt3"
    assert "over iam" in selection.reason


def test_ties_are_broken_by_name_whatever_the_registration_order():
    backends = ["zeta", "alpha", "mid"]
    chosen = set()
    for order in itertools.permutations(backends):
        host = PluginHost.from_plugins({name: FakeBackend(name, 100) for name in order})
        chosen.add(select_backend(host, context()).chosen.backend)

    assert chosen == {"alpha"}


def test_rank_drops_unusable_candidates_and_orders_the_rest():
    candidates = [
        Candidate("b", 5, "x", "r"),
        Candidate("a", 5, "x", "r"),
        Candidate("c", 9, "x", "r", usable=False),
        Candidate("d", 1, "x", "r"),
    ]

    assert [c.backend for c in rank(candidates)] == ["a", "b", "d"]


def test_unusable_high_priority_backend_is_passed_over():
    host = PluginHost.from_plugins({"quilt3": FakeBackend("quilt3", 300, usable=False), "iam": FakeBackend("iam", 100)})

    assert select_backend(host, context()).chosen.backend == "iam"


def test_forcing_a_backend_overrides_priority():
    host = PluginHost.from_plugins({"iam": FakeBackend("iam", 100), "quilt3": FakeBackend("quilt3", 300)})

    selection = select_backend(host, context(backend="iam"))

    assert selection.chosen.backend == "iam"
    assert "QUILT_MCP_BACKEND=iam" in selection.reason


def test_forcing_a_missing_backend_names_the_installed_ones():
    host = PluginHost.from_plugins({"iam": FakeBackend("iam", 100)})

    with pytest.raises(BackendUnavailableError) as err:
        select_backend(host, context(backend="quilt3"))

    assert "not available" in str(err.value)
    assert "Installed backends: iam" in str(err.value)
    assert "pip install 'quilt-packages-mcp[quilt3]'" in str(err.value)


def test_forcing_a_backend_that_cannot_authenticate_says_why():
    host = PluginHost.from_plugins({"quilt3": FakeBackend("quilt3", 300, usable=False), "iam": FakeBackend("iam", 100)})

    with pytest.raises(AuthRequiredError, match="quilt3.*no test credential"):
        select_backend(host, context(backend="quilt3"))


def test_forcing_a_disabled_backend_says_it_is_disabled():
    settings = Settings(backend="quilt3", disabled_plugins=frozenset({"quilt3"}))
    host = PluginHost.from_plugins(
        {"quilt3": FakeBackend("quilt3", 300), "iam": FakeBackend("iam", 100)}, settings=settings
    )

    with pytest.raises(BackendUnavailableError, match="disabled by QUILT_MCP_DISABLE_PLUGINS"):
        select_backend(host, AuthContext(env={}, settings=settings))


def test_disabling_the_best_plugin_selects_the_next():
    settings = Settings(disabled_plugins=frozenset({"quilt3"}))
    host = PluginHost.from_plugins(
        {"quilt3": FakeBackend("quilt3", 300), "iam": FakeBackend("iam", 100)}, settings=settings
    )

    assert host.names() == ["iam"]
    assert select_backend(host, AuthContext(env={}, settings=settings)).chosen.backend == "iam"


def test_no_plugins_installed_says_what_to_install():
    host = PluginHost.from_plugins({})

    with pytest.raises(AuthRequiredError) as err:
        select_backend(host, context())

    assert "No quilt-mcp backend plugin is installed" in err.value.message
    assert "pip install 'quilt-packages-mcp[iam]'" in err.value.hint


def test_no_usable_backend_lists_what_each_plugin_said():
    host = PluginHost.from_plugins({"quilt3": FakeBackend("quilt3", 300, usable=False), "iam": FakeBackend("iam", 100, usable=None)})

    with pytest.raises(AuthRequiredError) as err:
        select_backend(host, context())

    assert "quilt3: no test credential" in err.value.message
    assert "iam: nothing detected" in err.value.message
    assert "quilt3: Give quilt3 a test credential." in err.value.hint
    assert "iam: Give iam a test credential." in err.value.hint


def test_a_new_backend_brings_its_own_setup_advice():
    """What to configure comes from the plugin's BackendInfo, so the core names no backend."""
    host = PluginHost.from_plugins({"newcomer": FakeBackend("newcomer", 1, usable=False, setup_hint="Set NEWCOMER_KEY.")})

    with pytest.raises(AuthRequiredError) as err:
        select_backend(host, context())
    with pytest.raises(AuthRequiredError) as forced:
        select_backend(host, context(backend="newcomer"))

    assert "newcomer: Set NEWCOMER_KEY." in err.value.hint
    assert forced.value.hint.startswith("Set NEWCOMER_KEY.")


def test_candidate_repr_never_shows_the_credential_or_bearer_token():
    candidate = Candidate("platform", 200, "alice", "jwt", credential="secret-token-value")
    ctx = AuthContext(env={}, settings=Settings(), bearer_token="secret-bearer-value")

    assert "secret-token-value" not in repr(candidate)
    assert "secret-bearer-value" not in repr(ctx)
