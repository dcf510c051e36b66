"""What to tell a user who has no usable backend: what to install, what to configure.

Nothing here names a backend. What to configure comes from each loaded
plugin's ``BackendInfo.setup_hint``; what can be installed comes from the
core distribution's own extras (``pip install 'quilt-packages-mcp[<extra>]'``,
one extra per backend plugin, see ``quilt_mcp.distributions``), so adding a
backend is a packaging change only.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Mapping

from quilt_mcp.distributions import CORE, install_command
from quilt_mcp.models import BackendInfo

_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def backend_extras(distribution: str = CORE) -> list[str]:
    """Extras of ``distribution`` that each pull in exactly one distribution (one backend plugin), sorted.

    Empty when the distribution is not installed (e.g. a bare source checkout).
    """
    try:
        requirements = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    pulled: dict[str, int] = {}
    for requirement in requirements:
        match = _EXTRA.search(requirement)
        if match:
            pulled[match.group(1)] = pulled.get(match.group(1), 0) + 1
    return sorted(extra for extra, count in pulled.items() if count == 1)


def install_hint(backend: str) -> str:
    """How to get the backend ``backend`` when it is not loaded."""
    command = install_command(backend) if backend in backend_extras() else None
    if command:
        return f"Install it ({command}) or check 'quilt-mcp doctor'."
    return "Install the plugin that provides it, then check 'quilt-mcp doctor'."


def nothing_installed_hint() -> str:
    """What to install when no backend plugin is loaded at all."""
    extras = backend_extras()
    if not extras:
        return "Install a quilt-mcp backend plugin, then run 'quilt-mcp doctor'."
    return "Install one: " + " or ".join(install_command(extra) or "" for extra in extras) + "."


def setup_hint(infos: Mapping[str, BackendInfo]) -> str:
    """What to configure so one of the loaded backends can authenticate, from each plugin's ``setup_hint``."""
    said = [f"{name}: {info.setup_hint}" for name, info in sorted(infos.items()) if info.setup_hint]
    if not said:
        return "Configure the credentials of an installed backend; 'quilt-mcp doctor' shows what each one detected."
    return "Configure one backend. " + " ".join(said)
