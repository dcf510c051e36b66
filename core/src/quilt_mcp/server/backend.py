"""The backend the server acts through: chosen on first use, then kept.

Building the server discovers plugins (cheap: no backend library is
imported) so plugin tools can be listed. Detection, selection and opening -
where a backend imports boto3 or quilt3 and may touch the network - wait
for the first tool call that needs the backend, so ``tools/list`` stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import anyio

from quilt_mcp.arguments import missing_capability
from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import InvalidInputError, NotSupportedError, PermissionDeniedError
from quilt_mcp.ops import QuiltOps
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import Selection, select_backend
from quilt_mcp.settings import Settings
from quilt_mcp.uris import parse_registry

T = TypeVar("T")

@dataclass(frozen=True)
class Opened:
    """An open backend and how it came to be chosen (``selection`` is None when injected)."""

    ops: QuiltOps
    selection: Selection | None


class BackendSession:
    """Chooses and opens the backend once, on first use; thread-safe.

    ``ops`` may be injected (tests, embedding applications); otherwise the
    backend is chosen with ``select_backend(host, context)``. A failed
    choice is not remembered: the next call tries again, so a user can
    log in or fix credentials without restarting the server.
    """

    def __init__(
        self,
        settings: Settings,
        host: PluginHost,
        *,
        ops: QuiltOps | None = None,
        context: AuthContext | None = None,
    ) -> None:
        self.settings = settings
        self.host = host
        self._context = context
        self._opened = Opened(ops, None) if ops is not None else None
        self._lock = threading.Lock()
        self._directories: dict[str, Path | None] = {}

    @property
    def context(self) -> AuthContext:
        """The auth context detection sees: the injected one, or this process's environment."""
        return self._context or AuthContext.from_environment(settings=self.settings)

    @property
    def opened(self) -> Opened | None:
        """The open backend, or None if no tool has needed it yet."""
        return self._opened

    @property
    def caller_subject(self) -> str | None:
        """Who the current request's verified token names (HTTP mode); None where there is no token (stdio)."""
        return None

    def open_sync(self) -> Opened:
        """Choose and open the backend (blocking); the same result on every later call."""
        with self._lock:
            if self._opened is None:
                self._opened = self.choose_and_open(self.context)
            return self._opened

    def choose_and_open(self, context: AuthContext) -> Opened:
        """Select the backend for ``context`` and open it (blocking; nothing is remembered).

        The one place a backend is chosen and opened; subclasses that keep
        backends per caller (HTTP mode) call it for each caller.
        """
        selection = select_backend(self.host, context)
        return Opened(self.host.open(selection.chosen, context), selection)

    async def open(self) -> Opened:
        """``open_sync`` in a worker thread (detection may block on the network)."""
        opened = self.opened
        if opened is not None:
            return opened
        return await anyio.to_thread.run_sync(self.open_sync)

    async def call(self, work: Callable[[QuiltOps], T]) -> T:
        """``work(backend)`` in a worker thread; a missing capability is explained with ``require``'s hint."""
        ops = (await self.open()).ops
        try:
            return await anyio.to_thread.run_sync(work, ops)
        except NotSupportedError as err:
            if err.capability is None or err.capability in ops.capabilities:
                raise
            self.require(ops, err.capability)
            raise

    def require(self, ops: QuiltOps, capability: str) -> None:
        """``NotSupportedError`` naming ``capability`` and the installed backends that have it."""
        if capability in ops.capabilities:
            return
        able = sorted(
            name
            for name, info in self.host.backend_infos().items()
            if capability in info.capabilities and name != ops.backend_name
        )
        if able:
            hint = (
                f"Installed backends that can: {', '.join(able)}. Choose one with --backend NAME or "
                "QUILT_MCP_BACKEND=NAME (it must be able to authenticate: see 'quilt-mcp doctor')."
            )
        else:
            hint = f"No installed backend declares '{capability}'; install one that does (see 'quilt-mcp doctor')."
        raise missing_capability(ops.backend_name, capability, hint)

    def default_registry(self) -> str | None:
        """The first configured registry, else the chosen candidate's, else None."""
        if self.settings.default_registry:
            return self.settings.default_registry
        opened = self.opened
        return opened.selection.chosen.registry if opened and opened.selection else None

    def catalog_url(self) -> str | None:
        """The catalog to link to: the configured one, else one the chosen candidate names."""
        if self.settings.catalog_url:
            return self.settings.catalog_url
        opened = self.opened
        return opened.selection.chosen.details.get("catalog_url") if opened and opened.selection else None

    def registry(self, given: str | None) -> str:
        """The registry a tool acts on: ``given``, else the default; ``InvalidInputError`` when there is none.

        The backend's call pipeline checks it (e.g. a local directory needs ``local_registry``);
        a local directory must be one of the configured registries or the default (``check_local_registry``).
        """
        registry = (given or "").strip() or self.default_registry()
        if not registry:
            raise InvalidInputError(
                "No registry given and no default registry is configured.",
                "Pass registry='s3://bucket' (or a local directory), or start the server with "
                "--registry / QUILT_MCP_REGISTRIES.",
            )
        default = self.default_registry()
        configured = (*self.settings.registries, *([default] if default else []))
        check_local_registry(registry, configured, self._directory)
        return registry

    def _directory(self, registry: str) -> Path | None:
        """The directory configured ``registry`` names, symlinks followed on first need and then kept for the session
        (as a backend resolves its configured registries once, when opened); raises as ``parse_registry``."""
        if registry not in self._directories:
            self._directories[registry] = parse_registry(registry).path
        return self._directories[registry]


def check_local_registry(registry: str, configured: tuple[str, ...], directory: Callable[[str], Path | None]) -> None:
    """``PermissionDeniedError`` unless ``registry``, when a local directory, is one of the ``configured``
    registries (compared after following symlinks): a caller must not make the server read or write
    files elsewhere on its host. S3 registries are open to whatever the credentials allow.
    ``directory`` gives a configured local registry's directory (``parse_registry(r).path``; a session's is kept)."""
    local = [r.strip() for r in dict.fromkeys(configured) if not r.strip().startswith("s3://")]
    if registry.strip() in local:  # a configured registry's own text: no directory to resolve and compare
        return
    location = parse_registry(registry)
    if not location.is_local:
        return
    if not any(directory(r) == location.path for r in local):
        raise PermissionDeniedError(
            f"The local directory {location.uri} is not one of this server's registries.",
            "Use a configured registry, or start the server with --registry DIR / QUILT_MCP_REGISTRIES "
            "naming this directory.",
        )
