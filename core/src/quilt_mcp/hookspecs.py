"""The hooks a quilt-mcp backend plugin implements.

A plugin is a module named by an entry point in the ``quilt_mcp.backends``
group; its functions are marked with ``quilt_mcp.hookimpl``. Every hook name
starts with ``quilt_mcp_``; an unknown ``quilt_mcp_*`` function in a plugin
is an error at load (``check_pending``). Core code calls these hooks only
through ``quilt_mcp.plugins.PluginHost``, one plugin at a time (so no hook
is ``firstresult``); an exception from ``quilt_mcp_detect`` or
``quilt_mcp_tools`` is reported for that plugin and the others still answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from quilt_mcp.auth import AuthContext, Candidate
    from quilt_mcp.models import BackendInfo
    from quilt_mcp.ops import QuiltOps
    from quilt_mcp.tools_api import PluginTool

PROJECT = "quilt_mcp"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def quilt_mcp_backend_info() -> BackendInfo:
    """Describe this plugin's backend.

    Must return a ``BackendInfo`` whose ``name`` equals the plugin's entry-point
    name. Must be cheap: no network, no heavy imports (``doctor`` calls it).
    Its ``capabilities`` are the backend's one declaration of what it can do;
    its ``install`` and ``setup_hint`` are the advice users get about it.
    """


@hookspec
def quilt_mcp_detect(context: AuthContext) -> Candidate | None:
    """Say whether this backend can act with what ``context`` offers.

    Return ``None`` when the backend has nothing to say, a usable
    ``Candidate`` when it can authenticate, or a ``Candidate`` with
    ``usable=False`` whose ``reason`` explains what is missing. Must not
    import heavy libraries unless their presence is the thing being detected,
    and any network call must have a short timeout. Exceptions are caught and
    reported per plugin; they never stop other plugins' detection.
    """


@hookspec
def quilt_mcp_open(candidate: Candidate, context: AuthContext) -> QuiltOps | None:
    """Turn a candidate this plugin produced into a ``QuiltOps``.

    Return ``None`` unless ``candidate.backend`` is this plugin's name. Heavy
    imports belong here. Raise ``AuthRequiredError`` if the credential no
    longer works.
    """


@hookspec
def quilt_mcp_tools() -> Sequence[PluginTool]:
    """Extra MCP tools this plugin adds to the server.

    Return a sequence of ``PluginTool`` (possibly empty). Tool names must not
    collide with the core's tools or another plugin's. If it raises, the
    plugin contributes no tool and the error is logged; the server still starts.
    """


def installed_version(distribution: str) -> str:
    """The installed version of ``distribution``, or ``"0+unknown"`` (a source tree), for ``BackendInfo.version``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"
