"""Plugin discovery and the typed facade over the pluggy hooks.

``PluginHost`` is the only place core code touches ``pm.hook``. It is built
either from entry points (``PluginHost.discover``) or from explicit objects
(``PluginHost.from_plugins``, for tests), always in a fresh
``PluginManager``: there is no global plugin state.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy

from quilt_mcp import hookspecs
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.distributions import install_command
from quilt_mcp.errors import BackendUnavailableError
from quilt_mcp.models import BackendInfo
from quilt_mcp.ops import QuiltOps
from quilt_mcp.settings import Settings
from quilt_mcp.tools_api import PluginTool

ENTRY_POINT_GROUP = "quilt_mcp.backends"
REQUIRED_HOOKS = ("quilt_mcp_backend_info", "quilt_mcp_detect", "quilt_mcp_open")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    """A plugin that could not be loaded or validated."""

    name: str
    error: str
    distribution: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Detection:
    """What one plugin answered to detection: a candidate, nothing, or an error."""

    plugin: str
    candidate: Candidate | None = None
    error: str | None = None


@dataclass
class PluginHost:
    """A validated set of backend plugins and typed calls into their hooks."""

    pm: pluggy.PluginManager
    failures: list[LoadFailure] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()

    # Construction ------------------------------------------------------

    @staticmethod
    def _new_manager() -> pluggy.PluginManager:
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        return pm

    @classmethod
    def from_plugins(cls, plugins: Mapping[str, Any], *, settings: Settings | None = None) -> PluginHost:
        """A host holding exactly ``plugins`` (name → module or object with hookimpls).

        Plugins named in ``settings.disabled_plugins`` are left out.
        ``BackendUnavailableError`` if one fails validation and
        ``settings.strict_plugins`` is set; otherwise the failure is recorded.
        """
        settings = settings or Settings()
        host = cls(cls._new_manager(), disabled=settings.disabled_plugins)
        for name, plugin in plugins.items():
            if name not in settings.disabled_plugins:
                host._register(name, plugin, strict=settings.strict_plugins)
        return host

    @classmethod
    def discover(cls, settings: Settings | None = None, *, group: str = ENTRY_POINT_GROUP) -> PluginHost:
        """A host holding every plugin registered in the entry-point ``group``.

        Plugins are loaded with stevedore and registered under their
        entry-point names. Disabled plugins are not imported at all. A plugin
        that fails to import or validate is recorded in ``failures`` and
        skipped, or raises ``BackendUnavailableError`` in strict mode.
        """
        settings = settings or Settings()
        host = cls(cls._new_manager(), disabled=settings.disabled_plugins)
        entry_points = importlib.metadata.entry_points(group=group)
        dists: dict[str, tuple[str, str]] = {}
        for ep in entry_points:
            if ep.dist is not None:
                dists.setdefault(ep.name, (ep.dist.name, ep.dist.version))
        wanted = sorted({ep.name for ep in entry_points} - host.disabled)

        def on_failure(name: str, _target: str, exc: BaseException) -> None:
            dist, version = dists.get(name, (None, None))
            host._fail(LoadFailure(name, _describe(exc), dist, version), strict=settings.strict_plugins)

        for name, plugin in load_entry_points(group, wanted, on_failure):
            if name in dists:
                host.versions[name] = dists[name][1]
            host._register(name, plugin, strict=settings.strict_plugins)
        return host

    def _register(self, name: str, plugin: Any, *, strict: bool) -> None:
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
            missing = [hook for hook in REQUIRED_HOOKS if not _implements(plugin, hook)]
            if missing:
                raise TypeError(f"it does not implement {', '.join(missing)}")
            info = self._call_one(name, "quilt_mcp_backend_info")
            if not isinstance(info, BackendInfo) or info.name != name:
                raise TypeError(f"quilt_mcp_backend_info must return BackendInfo(name={name!r}), got {info!r}")
        except Exception as exc:  # noqa: BLE001 - any broken plugin is recorded, not fatal
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._fail(LoadFailure(name, _describe(exc), version=self.versions.pop(name, None)), strict=strict)

    def _fail(self, failure: LoadFailure, *, strict: bool) -> None:
        log.warning("quilt-mcp plugin %r failed to load: %s", failure.name, failure.error)
        self.failures.append(failure)
        if strict:
            raise BackendUnavailableError(
                f"Plugin {failure.name!r} failed to load: {failure.error}",
                "Fix or uninstall it, disable it with QUILT_MCP_DISABLE_PLUGINS, or unset QUILT_MCP_STRICT_PLUGINS.",
            )

    # Hook calls ---------------------------------------------------------

    def names(self) -> list[str]:
        """Names of the loaded plugins, sorted."""
        return sorted(name for name, _ in self.pm.list_name_plugin())

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        return sorted(getattr(self.pm.hook, hook).get_hookimpls(), key=lambda impl: impl.plugin_name)

    def _call_one(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == plugin:
                return impl.function(*(kwargs[arg] for arg in impl.argnames))
        return None

    def backend_infos(self) -> dict[str, BackendInfo]:
        """Each loaded plugin's ``BackendInfo``, by plugin name."""
        return {impl.plugin_name: impl.function() for impl in self._impls("quilt_mcp_backend_info")}

    def detect(self, context: AuthContext) -> list[Detection]:
        """Every plugin's detection answer, sorted by plugin name; errors are captured per plugin."""
        results = []
        for name in self.names():
            try:
                candidate = self._call_one(name, "quilt_mcp_detect", context=context)
                results.append(Detection(name, candidate=candidate))
            except Exception as exc:  # noqa: BLE001 - one plugin's bug must not hide the others
                log.warning("detection in plugin %r failed: %s", name, _describe(exc))
                results.append(Detection(name, error=_describe(exc)))
        return results

    def open(self, candidate: Candidate, context: AuthContext) -> QuiltOps:
        """The ``QuiltOps`` of the plugin that produced ``candidate``."""
        if candidate.backend not in self.names():
            install = install_command(candidate.backend)
            raise BackendUnavailableError(
                f"Backend {candidate.backend!r} is not loaded.",
                f"Install it ({install}) or check 'quilt-mcp doctor'." if install else "Check 'quilt-mcp doctor'.",
            )
        ops = self._call_one(candidate.backend, "quilt_mcp_open", candidate=candidate, context=context)
        if ops is None:
            raise BackendUnavailableError(
                f"Backend {candidate.backend!r} declined to open its own candidate.",
                "This is a bug in that plugin; run 'quilt-mcp doctor' and report it.",
            )
        return ops

    def tools(self) -> list[tuple[str, PluginTool]]:
        """Every contributed tool as ``(plugin name, tool)``, in plugin-name order."""
        return [(impl.plugin_name, tool) for impl in self._impls("quilt_mcp_tools") for tool in impl.function()]


def _implements(plugin: Any, hook: str) -> bool:
    return callable(getattr(plugin, hook, None))


def entry_point_names(group: str) -> list[str]:
    """Names registered in the entry-point ``group``, sorted, without importing anything."""
    return sorted({ep.name for ep in importlib.metadata.entry_points(group=group)})


def load_entry_points(
    group: str, names: Iterable[str], on_failure: Callable[[str, str, BaseException], None]
) -> list[tuple[str, Any]]:
    """Import the entry points ``names`` of ``group`` with stevedore, in the order given.

    Returns ``(name, loaded object)`` for each that imported; for each that
    raised, calls ``on_failure(name, target, exception)`` instead. Entry points
    not named are never imported.
    """
    from stevedore import NamedExtensionManager

    manager = NamedExtensionManager(
        namespace=group,
        names=list(names),
        name_order=True,
        on_load_failure_callback=lambda _m, ep, exc: on_failure(ep.name, ep.value, exc),
        on_missing_entrypoints_callback=lambda missing: None,
    )
    return [(ext.name, ext.plugin) for ext in manager.extensions]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
