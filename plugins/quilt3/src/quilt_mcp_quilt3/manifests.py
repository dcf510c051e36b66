"""quilt3 ``Package`` objects turned into the core's domain models, and a small cache of them.

Only public quilt3 API is used: ``Package.manifest`` (whose first item is the
header), ``walk``, ``keys``, item lookup, ``PackageEntry.as_dict`` and its ``size`` and ``hash``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from quilt_mcp.errors import NotFoundError
from quilt_mcp.models import BrowseRow, Entry, EntryHash


def header(pkg: Any) -> dict[str, Any]:
    """A copy of the manifest's first line (version, message, user_meta, workflow)."""
    return dict(next(iter(pkg.manifest)))


def header_user_meta(head: dict[str, Any]) -> dict[str, Any]:
    """The header's user metadata; ``{}`` when absent or null."""
    meta = head.get("user_meta")
    return meta if isinstance(meta, dict) else {}


def is_entry(node: Any) -> bool:
    """True for a ``PackageEntry`` (a file), False for a ``Package`` (a directory)."""
    return hasattr(node, "physical_key")


def to_entry(logical_key: str, entry: Any) -> Entry:
    """The domain ``Entry`` of a quilt3 ``PackageEntry``."""
    row = entry.as_dict()
    return Entry(
        logical_key=logical_key,
        physical_key=row["physical_keys"][0],
        size=row["size"],
        hash=EntryHash(type=row["hash"]["type"], value=row["hash"]["value"]),
        meta=row["meta"] or {},
    )


def lookup(pkg: Any, key: str, *, name: str, top_hash: str) -> Any:
    """The entry or sub-package at ``key`` (no trailing ``/``); ``NotFoundError`` if there is none."""
    try:
        return pkg[key]
    except (KeyError, AttributeError):  # AttributeError: a path segment is a file, not a directory
        raise NotFoundError(
            f"{key!r} is not in {name}@{top_hash[:10]}.", "Browse the package to see its logical keys."
        ) from None


def totals(node: Any) -> tuple[int, int]:
    """``(entry count, total bytes)`` of every file below ``node``."""
    count = size = 0
    for _, entry in node.walk():
        count += 1
        size += entry.size
    return count, size


def browse_rows(node: Any, prefix: str, *, recursive: bool) -> list[BrowseRow]:
    """The files (and, unless ``recursive``, sub-directories) of ``node`` as browse rows, paths prefixed, sorted."""
    rows: list[BrowseRow] = []
    if recursive:
        rows = [(prefix + lk, entry.size, entry.hash) for lk, entry in node.walk()]
    else:
        for key in node.keys():
            child = node[key]
            if is_entry(child):
                rows.append((prefix + key, child.size, child.hash))
            else:
                rows.append((f"{prefix}{key}/", totals(child)[1], None))
    rows.sort(key=lambda row: row[0])
    return rows


class PackageCache:
    """The last few browsed revisions, by ``(registry, name, top_hash)``.

    A top hash names immutable content, so a cached ``Package`` never goes
    stale. Callers must not modify what they get; writes browse afresh.
    """

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> Any | None:
        with self._lock:
            pkg = self._items.get(key)
            if pkg is not None:
                self._items.move_to_end(key)
            return pkg

    def put(self, key: tuple[str, str, str], pkg: Any) -> None:
        with self._lock:
            self._items[key] = pkg
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
