"""One revision's entries in walk order, for browsing, lookups and diffs.

Entries are sorted as ``logical_key.split('/')`` sorts (quilt3's walk order):
``/`` maps to the lowest character, so ``a/b`` sorts before ``a-b`` as on
every other backend. Built once per top hash (revisions never change).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any

from quilt_mcp.models import Entry, EntryHash

SEP = "\x00"
_AFTER = "\x01"


def sort_key(logical_key: str) -> str:
    return logical_key.replace("/", SEP)


def _below(directory: str) -> tuple[str, str]:
    base = sort_key(directory)
    return base + SEP, base + _AFTER


def entry_from(logical_key: str, raw: Mapping[str, Any]) -> Entry:
    """An ``Entry`` from a ``contentsFlatMap`` value or a manifest line (camel or snake case keys)."""
    physical = raw.get("physicalKey")
    if physical is None:
        keys = raw.get("physical_keys") or [""]
        physical = keys[0]
    digest = raw.get("hash") or {}
    return Entry(
        logical_key=logical_key,
        physical_key=str(physical),
        size=int(raw.get("size") or 0),
        hash=EntryHash(type=str(digest.get("type", "")), value=str(digest.get("value", ""))),
        meta=dict(raw.get("meta") or {}),
    )


class RevisionIndex:
    """The entries of one revision, sorted in walk order, with their byte counts."""

    def __init__(self, entries: list[Entry]) -> None:
        entries.sort(key=lambda e: sort_key(e.logical_key))
        self.entries = entries
        self.keys = [sort_key(e.logical_key) for e in entries]
        self._total_before = [0]
        for entry in entries:
            self._total_before.append(self._total_before[-1] + entry.size)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def total_bytes(self) -> int:
        return self._total_before[-1]

    def find(self, logical_key: str) -> Entry | None:
        key = sort_key(logical_key)
        index = bisect_left(self.keys, key)
        return self.entries[index] if index < len(self.keys) and self.keys[index] == key else None

    def directory(self, path: str) -> tuple[int, int]:
        """The index range of entries strictly below directory ``path`` (``a/b``; ``""``: everything)."""
        if not path:
            return 0, len(self.keys)
        lower, upper = _below(path)
        lo = bisect_left(self.keys, lower)
        return lo, bisect_left(self.keys, upper, lo)

    def after(self, path: str, lo: int, hi: int) -> int:
        """The first index in ``lo..hi`` sorting after ``path`` and everything below it."""
        return bisect_left(self.keys, _below(path)[1], lo, hi)

    def bytes_between(self, lo: int, hi: int) -> int:
        return self._total_before[hi] - self._total_before[lo]


def same_content(a: Entry, b: Entry) -> bool:
    """Equal as the top hash sees them: hash, size and meta."""
    return (a.hash, a.size, a.meta) == (b.hash, b.size, b.meta)


def compare(old: RevisionIndex, new: RevisionIndex) -> Iterator[tuple[str, Entry | None, Entry | None]]:
    """``("added"|"removed"|"changed", before, after)`` walking both revisions in walk order."""
    i = j = 0
    n, m = len(old), len(new)
    while i < n or j < m:
        ka = old.keys[i] if i < n else None
        kb = new.keys[j] if j < m else None
        if kb is None or (ka is not None and ka < kb):
            yield "removed", old.entries[i], None
            i += 1
        elif ka is None or kb < ka:
            yield "added", None, new.entries[j]
            j += 1
        else:
            if not same_content(old.entries[i], new.entries[j]):
                yield "changed", old.entries[i], new.entries[j]
            i, j = i + 1, j + 1
