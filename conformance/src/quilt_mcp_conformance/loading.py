"""Finding the harnesses of every installed backend plugin.

Harness modules are registered in the ``quilt_mcp.conformance`` entry-point
group. Each is loaded with stevedore into a fresh pluggy manager holding only
the harness hookspec; every way a module can go wrong (it fails to import,
marks an unknown hook, raises from the hook, returns something that is not a
harness, reuses an id) becomes a ``HarnessProblem`` that the pytest plugin
reports as a failing test, never a silent skip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy
from quilt_mcp import capabilities as cap
from quilt_mcp.models import BackendInfo
from quilt_mcp.plugins import entry_point_names, load_entry_points

from quilt_mcp_conformance import harness as harness_api
from quilt_mcp_conformance.harness import ENTRY_POINT_GROUP, PROJECT, BackendHarness


@dataclass(frozen=True)
class HarnessProblem:
    """A harness plugin (or a ``--backend`` selection) that cannot be tested as it is."""

    plugin: str
    error: str


@dataclass
class HarnessSet:
    """The harnesses to run the suite against, and what went wrong finding them."""

    harnesses: list[BackendHarness] = field(default_factory=list)
    problems: list[HarnessProblem] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)


def installed_plugins(group: str = ENTRY_POINT_GROUP) -> list[str]:
    """Entry-point names registered in ``group``, sorted."""
    return entry_point_names(group)


def matches(selection: str, *, plugin: str, harness_id: str | None = None) -> bool:
    """True when a ``--backend`` value names this plugin or this harness.

    ``iam`` selects every harness of the ``iam`` plugin; ``iam-s3`` selects
    only that harness (and so needs the ``iam`` module loaded to find it).
    """
    if harness_id is None:
        return selection == plugin or selection.startswith(f"{plugin}-")
    return selection in (plugin, harness_id)


def load_harnesses(selected: Sequence[str] = (), *, group: str = ENTRY_POINT_GROUP) -> HarnessSet:
    """Load the harness modules of ``group`` and collect their harnesses.

    With ``selected`` (``--backend`` values: plugin names or harness ids),
    only the plugins they name are imported and only the harnesses they name
    are kept; a value matching nothing is a problem.
    """
    found = HarnessSet(installed=installed_plugins(group))
    wanted = [name for name in found.installed if not selected or any(matches(s, plugin=name) for s in selected)]

    def on_failure(name: str, target: str, exc: BaseException) -> None:
        found.problems.append(
            HarnessProblem(name, f"its harness module {target!r} failed to import: {_describe(exc)}")
        )

    for name, module in load_entry_points(group, wanted, on_failure):
        found.harnesses.extend(_harnesses_of(name, module, found.problems))
    if selected:
        found.harnesses = [
            h for h in found.harnesses if any(matches(s, plugin=h.backend, harness_id=h.id) for s in selected)
        ]
        failed = {p.plugin for p in found.problems}
        for value in selected:
            hit = any(matches(value, plugin=h.backend, harness_id=h.id) for h in found.harnesses)
            if not hit and not any(matches(value, plugin=name) for name in failed):
                found.problems.append(
                    HarnessProblem(
                        value,
                        f"--backend {value} matches no installed harness; installed harness plugins: "
                        f"{', '.join(found.installed) or 'none'}.",
                    )
                )
    _drop_duplicate_ids(found)
    return found


def _harnesses_of(name: str, module: Any, problems: list[HarnessProblem]) -> Iterable[BackendHarness]:
    """The validated harnesses one plugin module supplies; problems are appended, not raised."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(harness_api)
    try:
        pm.register(module, name=name)
        pm.check_pending()
        impls = pm.hook.quilt_mcp_conformance_harnesses.get_hookimpls()
        if not impls:
            raise LookupError(
                "it does not implement quilt_mcp_conformance_harnesses "
                "(mark it with quilt_mcp_conformance.harness.hookimpl)"
            )
        supplied = [h for impl in impls for h in impl.function()]
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal to the others
        problems.append(HarnessProblem(name, f"its harness hook failed: {_describe(exc)}"))
        return []
    if not supplied:
        problems.append(HarnessProblem(name, "its harness hook returned no harness."))
    good = []
    for item in supplied:
        error = _invalid(name, item)
        if error:
            problems.append(HarnessProblem(name, error))
        else:
            good.append(item)
    return good


def _invalid(plugin: str, item: Any) -> str | None:
    """Why ``item`` is not a usable harness of ``plugin``, or None."""
    if not isinstance(item, BackendHarness):
        return f"it supplied {item!r}, which is not a BackendHarness."
    if not isinstance(getattr(item, "info", None), BackendInfo):
        return (
            f"harness {getattr(item, 'id', item)!r} has no BackendInfo: set its `info` to what the "
            "backend's quilt_mcp_backend_info returns."
        )
    if item.backend != plugin:
        return f"harness {item.id!r} says its backend is {item.backend!r}, but its entry point is {plugin!r}."
    if not (item.id == plugin or item.id.startswith(f"{plugin}-")):
        return f"harness id {item.id!r} must be {plugin!r} or start with {plugin + '-'!r}."
    unknown = (set(item.info.capabilities) | set(item.without)) - cap.ALL
    if unknown:
        return f"harness {item.id!r} names unknown capabilities {sorted(unknown)}; known: {sorted(cap.ALL)}."
    return None


def _drop_duplicate_ids(found: HarnessSet) -> None:
    """Move every harness whose id is already taken into ``problems``."""
    seen: set[str] = set()
    kept = []
    for item in found.harnesses:
        if item.id in seen:
            found.problems.append(HarnessProblem(item.backend, f"harness id {item.id!r} is used twice."))
        else:
            seen.add(item.id)
            kept.append(item)
    found.harnesses = kept


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
