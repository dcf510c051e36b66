"""The names this project is published under, and the install advice built from them.

``quilt-mcp`` on PyPI belongs to a different project, so every distribution here
is named ``quilt-packages-mcp``: the core is ``quilt-packages-mcp``, a backend
plugin ``quilt-packages-mcp-<backend>`` (``-iam``, ``-quilt3``, and ``-platform``
for the catalog backend to come) and the shared suite
``quilt-packages-mcp-conformance``. The command stays ``quilt-mcp`` and the import
packages stay ``quilt_mcp``, ``quilt_mcp_<backend>``.
"""

from __future__ import annotations

import importlib.metadata

CORE = "quilt-packages-mcp"
CONFORMANCE = f"{CORE}-conformance"


def plugin_distribution(backend: str) -> str:
    """The distribution that ships the backend plugin named ``backend``."""
    return f"{CORE}-{backend}"


def core_extras() -> frozenset[str]:
    """The extras the installed core defines (``iam``, ``quilt3``, ``all``...); empty if its metadata is absent."""
    try:
        return frozenset(importlib.metadata.metadata(CORE).get_all("Provides-Extra") or ())
    except importlib.metadata.PackageNotFoundError:
        return frozenset()


def install_command(backend: str) -> str | None:
    """``pip install 'quilt-packages-mcp[<backend>]'`` when the core has that extra, else None.

    Advice never names an extra that does not exist.
    """
    return f"pip install '{CORE}[{backend}]'" if backend in core_extras() else None
