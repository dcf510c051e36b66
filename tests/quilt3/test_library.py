"""The plugin uses only quilt3 attributes that exist in the installed quilt3, all listed in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import quilt3

import quilt_mcp_quilt3
from quilt_mcp_quilt3 import library
from quilt_mcp_quilt3.library import (
    QUILT3_ATTRIBUTES,
    QUILT3_TEST_ATTRIBUTES,
    load_quilt3,
    missing_attributes,
    resolve,
)

PLUGIN_SOURCES = sorted(Path(quilt_mcp_quilt3.__file__).parent.glob("*.py"))
TEST_SUPPORT = {"testing.py", "conformance.py"}
"""Modules imported only by test runs: they may use ``QUILT3_TEST_ATTRIBUTES`` too."""


@pytest.mark.parametrize("dotted", QUILT3_ATTRIBUTES + QUILT3_TEST_ATTRIBUTES)
def test_every_quilt3_attribute_the_plugin_uses_exists_in_the_installed_quilt3(dotted: str) -> None:
    load_quilt3()  # imports the submodules the list reaches into
    assert resolve(quilt3, dotted) is not None


def test_the_installed_quilt3_lacks_none_of_the_listed_attributes() -> None:
    load_quilt3()
    assert missing_attributes(quilt3) == []
    assert missing_attributes(quilt3, QUILT3_TEST_ATTRIBUTES) == []


def _quilt3_chains(source: str) -> set[str]:
    """Dotted attribute chains read from a name ``quilt3`` (the plugin's name for the module)."""
    chains: set[str] = set()
    inner: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        parts, base = [], node
        while isinstance(base, ast.Attribute):
            inner.add(id(base.value))
            parts.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id == "quilt3":
            chains.add(".".join(reversed(parts)))
    return chains


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: p.name)
def test_every_quilt3_attribute_read_in_the_plugin_is_listed(path: Path) -> None:
    """Production modules read only what ``load_quilt3`` checks; test support may also read the test-only list."""
    used = _quilt3_chains(path.read_text(encoding="utf-8"))
    allowed = set(QUILT3_ATTRIBUTES) | (set(QUILT3_TEST_ATTRIBUTES) if path.name in TEST_SUPPORT else set())

    assert used <= allowed, f"{path.name} uses unlisted quilt3 attributes: {sorted(used - allowed)}"


def test_the_backend_starts_with_a_quilt3_lacking_a_test_only_private_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the test support needs ``session._save_auth``; without it that support, not the backend, refuses."""
    load_quilt3()
    monkeypatch.setattr(library, "_LOADED", None)
    monkeypatch.setattr(quilt3.hooks, "_build_client_hook", quilt3.hooks.get_build_s3_client_hook())
    monkeypatch.delattr(quilt3.session, "_save_auth")

    assert load_quilt3() is quilt3
    with pytest.raises(RuntimeError, match="session._save_auth"):
        library.require_test_attributes(quilt3)


def test_the_attribute_check_finds_what_the_plugin_reads() -> None:
    used = set().union(*(_quilt3_chains(p.read_text(encoding="utf-8")) for p in PLUGIN_SOURCES))

    assert {"session.logged_in", "session.get_registry_url", "session.get_boto3_session", "Package.browse"} <= used


def test_a_missing_attribute_is_reported_by_name() -> None:
    import types

    assert "session.logged_in" in missing_attributes(types.SimpleNamespace(session=types.SimpleNamespace()))
