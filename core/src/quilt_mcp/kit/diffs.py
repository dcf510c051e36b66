"""A ``PackageDiff`` from a walk over two revisions: the lists cut at the caller's limit, the counts complete.

A backend walks its two revisions in its own way and yields one change per
logical key that differs; ``package_diff`` counts every change, keeps the
first ``limit`` of each kind, and converts only the entries it keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from quilt_mcp.models import Entry, EntryChange, PackageDiff

ChangeKind = Literal["added", "removed", "changed"]


class Keyed(Protocol):
    @property
    def logical_key(self) -> str: ...


E = TypeVar("E", bound=Keyed)


@dataclass(frozen=True)
class DiffSide:
    """One revision of a diff: its top hash and the header fields a diff reports."""

    top_hash: str
    message: str | None = None
    user_meta: dict[str, Any] = field(default_factory=dict)


def package_diff(
    name: str,
    before: DiffSide,
    after: DiffSide,
    changes: Iterable[tuple[ChangeKind, E | None, E | None]],
    *,
    limit: int,
    as_entry: Callable[[E], Entry] | None = None,
) -> PackageDiff:
    """The diff of ``name`` from ``before`` to ``after``.

    ``changes`` yields ``("added", None, new)``, ``("removed", old, None)`` or
    ``("changed", old, new)`` in the order the lists should keep; ``as_entry``
    turns a kept entry of a change into the core's ``Entry`` (``None``: the
    entries already are). ``truncated`` is true when a kind has more than
    ``limit`` changes.
    """
    convert: Callable[[Any], Entry] = as_entry or (lambda entry: entry)
    added: list[str] = []
    removed: list[str] = []
    changed: list[EntryChange] = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    for kind, old, new in changes:
        counts[kind] += 1
        if counts[kind] > limit:
            continue
        if kind == "added":
            added.append(new.logical_key)  # type: ignore[union-attr]
        elif kind == "removed":
            removed.append(old.logical_key)  # type: ignore[union-attr]
        else:
            changed.append(EntryChange(logical_key=old.logical_key, before=convert(old), after=convert(new)))  # type: ignore[union-attr]
    return PackageDiff(
        name=name,
        before=before.top_hash,
        after=after.top_hash,
        added=added,
        removed=removed,
        changed=changed,
        added_count=counts["added"],
        removed_count=counts["removed"],
        changed_count=counts["changed"],
        truncated=any(n > limit for n in counts.values()),
        message_before=before.message,
        message_after=after.message,
        user_meta_before=before.user_meta,
        user_meta_after=after.user_meta,
    )
