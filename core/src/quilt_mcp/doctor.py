"""``quilt-mcp doctor``: what is installed, what each backend detected, what would be chosen."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from quilt_mcp.auth import AuthContext
from quilt_mcp.errors import QuiltMCPError
from quilt_mcp.models import BackendInfo
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import no_backend_hint, select_backend


@dataclass(frozen=True)
class DoctorReport:
    """Everything doctor prints; ``ok`` is False when no backend is usable."""

    plugins: list[dict[str, Any]]
    chosen: dict[str, Any] | None
    problem: str | None
    advice: str | None

    @property
    def ok(self) -> bool:
        return self.chosen is not None

    def to_json(self) -> str:
        return json.dumps(
            {"ok": self.ok, "plugins": self.plugins, "chosen": self.chosen, "problem": self.problem, "advice": self.advice},
            indent=2,
            sort_keys=True,
        )

    def to_text(self) -> str:
        lines = ["Plugins:"]
        if not self.plugins:
            lines.append("  (none installed)")
        for p in self.plugins:
            if p["load_error"]:
                lines.append(f"  {p['name']} {p['version'] or ''}: FAILED TO LOAD: {p['load_error']}")
                continue
            caps = ", ".join(p["capabilities"]) or "none"
            lines.append(f"  {p['name']} {p['version'] or ''} (priority {p['priority']}; capabilities: {caps})")
            lines.append(f"    {p['summary']}")
            lines.append(f"    detected: {p['detected']}")
        if self.chosen:
            lines.append(f"Chosen backend: {self.chosen['backend']} acting as {self.chosen['identity']}")
            lines.append(f"  why: {self.chosen['why']}")
        else:
            lines.append(f"No usable backend: {self.problem}")
            lines.append(f"  what to do: {self.advice}")
        return "\n".join(lines)


def diagnose(host: PluginHost, context: AuthContext) -> DoctorReport:
    """Build the doctor report for ``host`` and ``context``. Never raises a domain error."""
    infos = host.backend_infos()
    detected_all = tuple(host.detect(context))
    detections = {d.plugin: d for d in detected_all}
    plugins: list[dict[str, Any]] = []
    for name in host.names():
        info = infos.get(name)
        det = detections.get(name)
        if det is None or det.error:
            detected = f"error: {det.error}" if det else "not asked"
        elif det.candidate is None:
            detected = "nothing"
        else:
            c = det.candidate
            state = "usable" if c.usable else "not usable"
            who = f", as {c.identity}" if c.identity else ""
            detected = f"{state}{who}: {c.reason}"
        version = host.versions.get(name, info.version if info else None)
        plugins.append(_plugin_row(name, version, info, detected))
    for failure in host.failures:
        plugins.append(_plugin_row(failure.name, failure.version, None, "not asked", load_error=failure.error))
    plugins.sort(key=lambda p: p["name"])
    try:
        selection = select_backend(host, context, detections=detected_all)
    except QuiltMCPError as err:
        return DoctorReport(plugins, None, err.message, err.hint or no_backend_hint(host))
    chosen = selection.chosen
    return DoctorReport(
        plugins,
        {"backend": chosen.backend, "identity": chosen.identity, "registry": chosen.registry, "why": selection.reason},
        None,
        None,
    )


def _plugin_row(
    name: str, version: str | None, info: BackendInfo | None, detected: str, *, load_error: str | None = None
) -> dict[str, Any]:
    """One plugin as the report lists it."""
    return {
        "name": name,
        "version": version,
        "priority": info.priority if info else None,
        "capabilities": sorted(info.capabilities) if info else [],
        "summary": info.summary if info else "",
        "detected": detected,
        "load_error": load_error,
    }
