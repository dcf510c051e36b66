"""Choosing the backend: rank the detected candidates, or honour a forced one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from quilt_mcp.advice import install_hint, nothing_installed_hint, setup_hint
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import AuthRequiredError, BackendUnavailableError
from quilt_mcp.plugins import Detection, PluginHost


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Usable candidates, best first: highest priority, ties broken by backend name.

    The order never depends on install or registration order.
    """
    return sorted((c for c in candidates if c.usable), key=lambda c: (-c.priority, c.backend))


@dataclass(frozen=True)
class Selection:
    """The chosen candidate, every plugin's detection, and why this one won."""

    chosen: Candidate
    detections: tuple[Detection, ...]
    reason: str


def select_backend(
    host: PluginHost, context: AuthContext, *, detections: Iterable[Detection] | None = None
) -> Selection:
    """Pick the backend for ``context`` (from ``detections`` when the caller already asked every plugin).

    With ``settings.backend`` set, that backend or a clear error:
    ``BackendUnavailableError`` if it is not loaded, ``AuthRequiredError``
    if it cannot authenticate. Otherwise the top of ``rank``, or
    ``AuthRequiredError`` listing what each plugin said and what to do.
    """
    forced = context.settings.backend
    if forced and forced not in host.names():
        failure = next((f for f in host.failures if f.name == forced), None)
        why = f" It failed to load: {failure.error}" if failure else ""
        if forced in host.disabled:
            why = " It is disabled by QUILT_MCP_DISABLE_PLUGINS."
        raise BackendUnavailableError(
            f"The forced backend {forced!r} (--backend or QUILT_MCP_BACKEND) is not available.{why}",
            f"Installed backends: {', '.join(host.names()) or 'none'}. {install_hint(forced)} "
            "Or leave --backend and QUILT_MCP_BACKEND unset to let quilt-mcp choose.",
        )
    detections = tuple(host.detect(context) if detections is None else detections)
    if forced:
        detection = next(d for d in detections if d.plugin == forced)
        candidate = detection.candidate
        if candidate is None or not candidate.usable:
            said = detection.error or (candidate.reason if candidate else "it detected no credential")
            info = host.backend_infos().get(forced)
            how = info.setup_hint if info and info.setup_hint else "Configure that backend's credentials (see 'quilt-mcp doctor')."
            raise AuthRequiredError(
                f"The forced backend {forced!r} (--backend or QUILT_MCP_BACKEND) cannot authenticate: {said}.",
                f"{how} Or leave --backend and QUILT_MCP_BACKEND unset.",
            )
        return Selection(candidate, detections, f"forced by --backend or QUILT_MCP_BACKEND={forced}")
    ranked = rank(d.candidate for d in detections if d.candidate is not None)
    if not ranked:
        raise AuthRequiredError(no_backend_message(host, detections), no_backend_hint(host))
    chosen = ranked[0]
    others = [c.backend for c in ranked[1:]]
    beaten = f" over {', '.join(others)}" if others else ""
    return Selection(chosen, detections, f"highest priority ({chosen.priority}){beaten}: {chosen.reason}")


def no_backend_message(host: PluginHost, detections: Iterable[Detection]) -> str:
    """One sentence per plugin saying why none can act."""
    said = [
        f"{d.plugin}: {d.error or (d.candidate.reason if d.candidate else 'nothing detected')}" for d in detections
    ]
    if not host.names():
        return "No quilt-mcp backend plugin is installed."
    return "No backend can authenticate. " + "; ".join(said) + "."


def no_backend_hint(host: PluginHost) -> str:
    """What to install or configure when no backend is usable, from the plugins' own ``BackendInfo``."""
    if not host.names():
        return nothing_installed_hint()
    return setup_hint(host.backend_infos())
