"""Plugin discovery and the typed facade over the pluggy hooks.

``PluginHost`` is the only place core code touches ``pm.hook``. It is built
either from entry points (``PluginHost.discover``) or from explicit objects
(``PluginHost.from_plugins``, for tests), always in a fresh
``PluginManager``: there is no global plugin state.

What pluggy gives and how it is used: hookspec validation (``check_pending``
refuses a misspelt ``quilt_mcp_*`` hook, calls are checked against the
specs' argument names), and hook calling. Every hook is called through
pluggy, but one plugin at a time, with ``pm.subset_hook_caller``: the host
needs each answer tagged with the plugin that gave it (detections are ranked
by name and priority, never by pluggy's registration order), and one
plugin's exception must be reported for that plugin without losing the
others' answers, which a single ``pm.hook.<name>()`` call over all plugins
cannot do. Because each call reaches one plugin, no hook is ``firstresult``.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy

from quilt_mcp import hookspecs
from quilt_mcp.advice import install_hint
from quilt_mcp.auth import AuthContext, Candidate
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
    tool_errors: dict[str, str] = field(default_factory=dict)

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
            host._fail(LoadFailure(name, _describe(exc), dist, version), strict=settings.strict_plugins, exc=exc)

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
            failure = LoadFailure(name, _describe(exc), version=self.versions.pop(name, None))
            self._fail(failure, strict=strict, exc=exc)

    def _fail(self, failure: LoadFailure, *, strict: bool, exc: BaseException | None = None) -> None:
        """Record ``failure``: a WARNING with the reason, the traceback at DEBUG; raise in strict mode."""
        log.warning("quilt-mcp plugin %r failed to load: %s", failure.name, failure.error)
        if exc is not None:
            log.debug("traceback of plugin %r's load failure", failure.name, exc_info=exc)
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

    def _call_one(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """``plugin``'s answer to ``hook``, called through pluggy; ``None`` if it answered ``None``."""
        others = [obj for name, obj in self.pm.list_name_plugin() if name != plugin]
        results = self.pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)
        return results[0] if results else None

    def _call_each(self, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any, BaseException | None]]:
        """``(plugin, answer, None)`` or ``(plugin, None, exception)`` per loaded plugin, in name order.

        A plugin's exception is logged (WARNING with its message, DEBUG with
        its traceback) and handed back, never raised: one plugin's bug must
        not hide the others.
        """
        for name in self.names():
            try:
                yield name, self._call_one(name, hook, **kwargs), None
            except Exception as exc:  # noqa: BLE001 - reported per plugin
                log.warning("hook %s of plugin %r failed: %s", hook, name, _describe(exc))
                log.debug("traceback of plugin %r's %s", name, hook, exc_info=exc)
                yield name, None, exc

    def backend_infos(self) -> dict[str, BackendInfo]:
        """Each loaded plugin's ``BackendInfo``, by plugin name (validated at load, so never missing)."""
        return {name: self._call_one(name, "quilt_mcp_backend_info") for name in self.names()}

    def detect(self, context: AuthContext) -> list[Detection]:
        """Every plugin's detection answer, sorted by plugin name; errors are captured per plugin."""
        return [
            Detection(name, candidate=answer, error=_describe(exc) if exc else None)
            for name, answer, exc in self._call_each("quilt_mcp_detect", context=context)
        ]

    def open(self, candidate: Candidate, context: AuthContext) -> QuiltOps:
        """The ``QuiltOps`` of the plugin that produced ``candidate``."""
        if candidate.backend not in self.names():
            raise BackendUnavailableError(
                f"Backend {candidate.backend!r} is not loaded.", install_hint(candidate.backend)
            )
        ops = self._call_one(candidate.backend, "quilt_mcp_open", candidate=candidate, context=context)
        if ops is None:
            raise BackendUnavailableError(
                f"Backend {candidate.backend!r} declined to open its own candidate.",
                "This is a bug in that plugin; run 'quilt-mcp doctor' and report it.",
            )
        return ops

    def tools(self) -> list[tuple[str, PluginTool]]:
        """Every contributed tool as ``(plugin name, tool)``, in plugin-name order.

        A plugin whose ``quilt_mcp_tools`` raises contributes nothing; the
        error is logged and kept in ``tool_errors`` (plugin name → error).
        """
        found = []
        for name, answer, exc in self._call_each("quilt_mcp_tools"):
            if exc is not None:
                self.tool_errors[name] = _describe(exc)
            else:
                found.extend((name, tool) for tool in answer or ())
        return found


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
