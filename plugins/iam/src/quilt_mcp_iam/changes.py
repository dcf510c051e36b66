"""Manifest algorithms of the write and diff paths: walk two manifests together, overlay, removal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from quilt_mcp.errors import (
    NotFoundError,
)

from quilt_mcp_iam.manifest import Manifest, ManifestEntry, sort_key


def compare(old: Manifest, new: Manifest) -> Iterator[tuple[str, ManifestEntry | None, ManifestEntry | None]]:
    """Walk two manifests in walk order: ``("added"|"removed"|"changed", before, after)``.

    Byte-identical lines are the same entry and are passed over unparsed, so a
    diff of two big revisions parses only what differs.
    """
    i = j = 0
    n, m = len(old), len(new)
    while i < n or j < m:
        if i < n and j < m and old.line_at(i) == new.line_at(j):
            i, j = i + 1, j + 1
            continue
        a = old.entry_at(i) if i < n else None
        b = new.entry_at(j) if j < m else None
        ka = sort_key(a.logical_key) if a is not None else None
        kb = sort_key(b.logical_key) if b is not None else None
        if kb is None or (ka is not None and ka < kb):
            yield "removed", a, None
            i += 1
        elif ka is None or kb < ka:
            yield "added", None, b
            j += 1
        else:
            if not a.same_content(b):  # type: ignore[union-attr]
                yield "changed", a, b
            i, j = i + 1, j + 1


def overlay(base: Iterator[ManifestEntry], added: list[ManifestEntry]) -> Iterator[ManifestEntry]:
    """``base`` with ``added`` merged in (both in walk order); an added entry replaces a base one."""
    replacing = iter(added)
    nxt = next(replacing, None)
    for entry in base:
        key = sort_key(entry.logical_key)
        while nxt is not None and sort_key(nxt.logical_key) < key:
            yield nxt
            nxt = next(replacing, None)
        if nxt is not None and sort_key(nxt.logical_key) == key:
            continue
        yield entry
    while nxt is not None:
        yield nxt
        nxt = next(replacing, None)


class Removal:
    """The logical keys and directory prefixes an update drops; each must match something in the base."""

    def __init__(self, remove: Sequence[str], base: Manifest) -> None:
        self.keys = {k for k in remove if not k.endswith("/")}
        self.dirs = tuple(k for k in remove if k.endswith("/"))
        for key in self.keys:
            if base.find(key) is None:
                raise NotFoundError(f"Cannot remove {key!r}: it is not in the base revision.", "Browse the package.")
        for directory in self.dirs:
            lo, hi = base.directory(directory.rstrip("/"))
            if lo == hi:
                raise NotFoundError(
                    f"Cannot remove {directory}: no entries below it in the base revision.", "Browse the package."
                )

    def drops(self, logical_key: str) -> bool:
        return logical_key in self.keys or logical_key.startswith(self.dirs)
